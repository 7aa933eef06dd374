/** The latency figures the soak prints for each hop kind and the keep-alive round trip. */
import { percentile, round, summarize, type LatencySummary } from '../bench/stats';

export interface HopLatency extends LatencySummary {
  p95: number;
}

export function summarizeHop(samples: readonly number[]): HopLatency {
  return { ...summarize(samples), p95: round(percentile(samples, 95), 3) };
}
