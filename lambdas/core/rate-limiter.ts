/**
 * Token buckets in the container's memory, per socket and per profile, and the arithmetic of the
 * shared (GCRA) buckets kept in the store. A bucket in memory is exact for the messages one
 * container sees; on AWS each container keeps its own, so a socket whose messages land in n
 * containers may get up to n times its rate. That is why offers and lookups are also counted in
 * the store (see `admission.ts`).
 */
import type { Clock, GcraStep, Sender } from './model';

export interface Rate {
  perSecond: number;
  burst: number;
}

export type RateClass = 'offers' | 'lookups' | 'candidates' | 'other';
/** A socket's own budget, or its profile's, which all its sockets share. */
export type RateScope = 'socket' | 'profile';
export type RateLimits = Record<RateScope, Record<RateClass, Rate>>;

/** Who a message counts against: its socket, and the profile the socket belongs to. */
export type RateSubject = Pick<Sender, 'connectionId' | 'key'>;

/** The budget a route draws on (frames no route took, on `$default`, count as `other`). */
export function rateClassOf(route: string): RateClass {
  if (route === 'call_invitation') return 'offers';
  // Settings changes join them: each may rewrite a block list of up to 500 entries.
  if (route === 'presence_query' || route === 'call_history' || route === 'call_settings') return 'lookups';
  if (route === 'ice_candidate') return 'candidates';
  return 'other';
}

/**
 * How much later than a message another may have arrived and still have had its write land first:
 * a burst's writes race over parallel connections and containers, so the first to land, which
 * starts the bucket, is not always the first to arrive. GCRA's jitter tolerance (the τ of GCRA(T, τ))
 * forgives that much; capped at half an interval so no burst ever gains a token from it.
 */
export const ARRIVAL_JITTER_TOLERANCE_MS = 250;

/**
 * The GCRA (generic cell rate algorithm) bucket: one number per counter, its theoretical arrival
 * time `tat`, and two conditional writes at `now`, with T = 1000 / rate ms, a burst of b and the
 * jitter tolerance j = min(ARRIVAL_JITTER_TOLERANCE_MS, T / 2):
 * - a bucket that is full (`tat` absent or `tat < now`) admits, and `tat` becomes `now + T`;
 * - else it admits while `tat <= now + (b - 1)·T + j`, and `tat` becomes `tat + T`;
 * - else the message is refused.
 * At 5/s with a burst of 5 (T = 200 ms, j = 100 ms), five messages at once leave `tat` at now + 200,
 * 400, 600, 800, 1000; the sixth finds `tat` = now + 1000 > now + 900 and is refused until 100 ms
 * have passed, then one more fits every 200 ms. A message that arrived up to j before the one that
 * started the bucket, but wrote after it, still gets its token of the burst.
 */
export function gcraStep(rate: Rate, nowMs: number): GcraStep {
  const intervalMs = 1000 / rate.perSecond;
  const toleranceMs = Math.min(ARRIVAL_JITTER_TOLERANCE_MS, intervalMs / 2);
  return {
    nowMs,
    intervalMs,
    idleTatMs: nowMs + intervalMs,
    latestAdmittedTatMs: nowMs + (rate.burst - 1) * intervalMs + toleranceMs,
    fullAtMs: nowMs + rate.burst * intervalMs + toleranceMs,
  };
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** From then on the bucket is full again, as good as one never used: it can be forgotten. */
  fullAtMs: number;
}

/** How often buckets that are full again are forgotten (sooner when this many are tracked). */
const PRUNE_EVERY_MS = 60_000;
const MAX_TRACKED_BUCKETS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastPruneMs = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {}

  /**
   * Takes one token of the class from the socket's bucket, then from its profile's; false when
   * either is over its rate. `atMs` is when the message arrived (default now); messages may be
   * handled in another order than they came.
   */
  tryTake(subject: RateSubject, rateClass: RateClass, atMs: number = this.clock.now().getTime()): boolean {
    this.prune(atMs);
    return (
      this.take(`${rateClass}:socket:${subject.connectionId}`, this.limits.socket[rateClass], atMs) &&
      this.take(`${rateClass}:profile:${subject.key}`, this.limits.profile[rateClass], atMs)
    );
  }

  private take(key: string, rate: Rate, atMs: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, updatedMs: atMs, fullAtMs: atMs };
    const elapsedMs = Math.max(0, atMs - bucket.updatedMs);
    const refilled = Math.min(rate.burst, bucket.tokens + (elapsedMs / 1000) * rate.perSecond);
    const allowed = refilled >= 1;
    const tokens = allowed ? refilled - 1 : refilled;
    const updatedMs = Math.max(bucket.updatedMs, atMs);
    this.buckets.set(key, { tokens, updatedMs, fullAtMs: updatedMs + ((rate.burst - tokens) / rate.perSecond) * 1000 });
    return allowed;
  }

  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < PRUNE_EVERY_MS && this.buckets.size < MAX_TRACKED_BUCKETS) return;
    this.lastPruneMs = nowMs;
    for (const [key, bucket] of this.buckets) {
      if (nowMs >= bucket.fullAtMs) this.buckets.delete(key);
    }
  }
}
