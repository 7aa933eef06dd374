/**
 * Per-socket token buckets in the container's memory, and the arithmetic of the shared (GCRA) bucket
 * kept in the store. A bucket in memory is exact for the messages one container sees; on AWS each
 * container keeps its own, so a socket whose messages land in n containers may get up to n times its
 * rate. That is why offers are also counted in the store (see `admission.ts`).
 */
import type { Clock, GcraStep } from './model';

export interface Rate {
  perSecond: number;
  burst: number;
}

export type RateClass = 'offers' | 'candidates' | 'other';
export type RateLimits = Record<RateClass, Rate>;

/** The budget a route draws on (frames no route took, on `$default`, count as `other`). */
export function rateClassOf(route: string): RateClass {
  if (route === 'call_invitation') return 'offers';
  if (route === 'ice_candidate') return 'candidates';
  return 'other';
}

/**
 * The GCRA (generic cell rate algorithm) bucket: one number per socket, its theoretical arrival time
 * `tat`, and two conditional writes at `now`, with T = 1000 / rate ms and a burst of b:
 * - a bucket that is full (`tat` absent or `tat < now`) admits, and `tat` becomes `now + T`;
 * - else it admits while `tat <= now + (b - 1)·T`, and `tat` becomes `tat + T`;
 * - else the message is refused.
 * At 5/s with a burst of 5 (T = 200 ms), five messages at once leave `tat` at now + 200, 400, 600,
 * 800, 1000; the sixth finds `tat` = now + 1000 > now + 800 and is refused until 200 ms have passed.
 */
export function gcraStep(rate: Rate, nowMs: number): GcraStep {
  const intervalMs = 1000 / rate.perSecond;
  return {
    nowMs,
    intervalMs,
    idleTatMs: nowMs + intervalMs,
    latestAdmittedTatMs: nowMs + (rate.burst - 1) * intervalMs,
    fullAtMs: nowMs + rate.burst * intervalMs,
  };
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets untouched this long are full again, so they can be forgotten. */
const FORGET_AFTER_MS = 60_000;
const MAX_TRACKED_BUCKETS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastPruneMs = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {}

  /**
   * Takes one token for the socket's class; false when the socket is over its rate. `atMs` is when
   * the message arrived (default now); messages may be handled in another order than they came.
   */
  tryTake(connectionId: string, route: string, atMs: number = this.clock.now().getTime()): boolean {
    const rateClass = rateClassOf(route);
    const rate = this.limits[rateClass];
    this.prune(atMs);
    const key = `${rateClass}:${connectionId}`;
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, updatedMs: atMs };
    const elapsedMs = Math.max(0, atMs - bucket.updatedMs);
    const refilled = Math.min(rate.burst, bucket.tokens + (elapsedMs / 1000) * rate.perSecond);
    const allowed = refilled >= 1;
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, updatedMs: Math.max(bucket.updatedMs, atMs) });
    return allowed;
  }

  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < FORGET_AFTER_MS && this.buckets.size < MAX_TRACKED_BUCKETS) return;
    this.lastPruneMs = nowMs;
    for (const [key, bucket] of this.buckets) {
      if (nowMs - bucket.updatedMs > FORGET_AFTER_MS) this.buckets.delete(key);
    }
  }
}
