/**
 * Samples a connected call's `getStats()` every couple of seconds: each reading (against the one
 * before) goes to the live indicator, and all of them make the summary sent when the call ends.
 */
import type { CallQualitySummary } from '../../../shared/call-quality';
import { countersOf, readingBetween, sampleOf, summarize, type QualitySample, type StatsCounters } from './call-quality';

/** A reading needs two reports: the first one comes this long after the call connects. */
export const QUALITY_SAMPLE_INTERVAL_MS = 2_000;
/**
 * A video stream starts low and climbs as the sender's congestion control probes the path (Chromium
 * on loopback: ~280 kbps 5 s in, ~350 kbps at 8 s): its bitrate is rated from then on, not before.
 */
export const VIDEO_RAMP_UP_MS = 8_000;

export interface QualityMonitorOptions {
  /** The call's current stats; undefined once there is no peer connection. */
  getStats: () => Promise<Iterable<unknown> | undefined>;
  /** Whether video is expected to arrive right now (rates the received bitrate). */
  receivingVideo: () => boolean;
  onSample: (sample: QualitySample) => void;
  intervalMs?: number;
}

export class QualityMonitor {
  private readonly samples: QualitySample[] = [];
  private previous: StatsCounters | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly options: QualityMonitorOptions) {}

  /** Starts sampling (again, after a stop by `pause`); a monitor stopped for good stays stopped. */
  start(): void {
    if (this.stopped || this.timer) return;
    void this.take();
    this.timer = setInterval(() => void this.take(), this.options.intervalMs ?? QUALITY_SAMPLE_INTERVAL_MS);
  }

  /** The media path is down: no readings until `start`, and the next one starts from a fresh report. */
  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.previous = undefined;
  }

  /** Stops for good; the summary of what was sampled, or undefined when nothing was. */
  stop(): CallQualitySummary | undefined {
    this.pause();
    this.stopped = true;
    return this.samples.length > 0 ? summarize(this.samples) : undefined;
  }

  private async take(): Promise<void> {
    let report: Iterable<unknown> | undefined;
    try {
      report = await this.options.getStats();
    } catch {
      // The connection closed under us: the call is ending.
      return;
    }
    if (this.stopped || !this.timer || report === undefined) return;
    const counters = countersOf(report);
    const previous = this.previous;
    this.previous = counters;
    if (!previous || counters.timestamp <= previous.timestamp) return;
    const sample = sampleOf(readingBetween(previous, counters, this.options.receivingVideo()), counters);
    this.samples.push(sample);
    this.options.onSample(sample);
  }
}
