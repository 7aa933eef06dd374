/**
 * Per-socket token buckets. They live in the handler's memory: exact on one machine; on AWS each
 * container keeps its own, so a socket spread over several containers gets a little more, and the
 * stage's throttling backs it.
 */
import type { Clock } from './model';

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

  /** Takes one token for the socket's class; false when the socket is over its rate. */
  tryTake(connectionId: string, route: string): boolean {
    const rateClass = rateClassOf(route);
    const rate = this.limits[rateClass];
    const nowMs = this.clock.now().getTime();
    this.prune(nowMs);
    const key = `${rateClass}:${connectionId}`;
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, updatedMs: nowMs };
    const refilled = Math.min(rate.burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * rate.perSecond);
    const allowed = refilled >= 1;
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, updatedMs: nowMs });
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
