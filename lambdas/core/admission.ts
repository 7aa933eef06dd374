/**
 * Whether a socket's message is let through its rate limits, and whether a refusal is answered.
 * The buckets in this container's memory (the socket's and its profile's) are a first filter that
 * costs nothing; for the classes counted in the store a message they let through must also get a
 * token from each shared counter of the class, so those limits hold however many containers the
 * messages land in. The other classes stay per container: a shared counter per candidate or ping
 * would cost a write for each.
 */
import type { Clock, RateCounter, RateTake, RateTokenStore } from './model';
import type { RefusalNotices } from './refusal-notices';
import { gcraStep, rateClassOf, type RateClass, type RateLimiter, type RateLimits, type RateScope, type RateSubject } from './rate-limiter';

/**
 * The counters kept in the store, in the order they are taken: offers ring devices, so they are
 * counted per socket and per profile; lookups are how profiles are enumerated, so per profile.
 */
export const SHARED_RATE_COUNTERS: Readonly<Record<RateClass, readonly RateScope[]>> = {
  offers: ['socket', 'profile'],
  lookups: ['profile'],
  candidates: [],
  other: [],
};

/** `refused`: answer `rate_limited`; `dropped`: refused without a reply (the socket was told already). */
export type AdmissionVerdict = 'admitted' | 'refused' | 'dropped';

function counterOf(scope: RateScope, rateClass: RateClass, subject: RateSubject): RateCounter {
  return scope === 'socket'
    ? { scope, rateClass, connectionId: subject.connectionId, profileKey: subject.key }
    : { scope, rateClass, profileKey: subject.key };
}

export class Admission {
  constructor(
    private readonly memory: RateLimiter,
    private readonly limits: RateLimits,
    private readonly notices: RefusalNotices,
    private readonly clock: Clock,
    /** Absent in a container whose function may not move rate counters; its routes draw on no shared class. */
    private readonly shared?: RateTokenStore,
  ) {}

  /**
   * `arrivedAtMs` is when the API received the message (API Gateway's `requestTimeEpoch`): counted
   * by arrival, a burst stays a burst however long the containers handling it took to start.
   */
  async admit(subject: RateSubject, route: string, arrivedAtMs: number = this.clock.now().getTime()): Promise<AdmissionVerdict> {
    const rateClass = rateClassOf(route);
    const admitted = this.memory.tryTake(subject, rateClass, arrivedAtMs) && (await this.takeShared(subject, rateClass, arrivedAtMs));
    if (admitted) {
      this.notices.admitted(subject.connectionId, rateClass);
      return 'admitted';
    }
    return this.notices.refused(subject.connectionId, rateClass, arrivedAtMs) === 'tell' ? 'refused' : 'dropped';
  }

  /**
   * Every shared counter of the class at once, all or none: a socket over its own limit spends
   * nothing of its profile's (the store keeps both on the profile's item: one write).
   */
  private async takeShared(subject: RateSubject, rateClass: RateClass, arrivedAtMs: number): Promise<boolean> {
    const scopes = SHARED_RATE_COUNTERS[rateClass];
    if (scopes.length === 0) return true;
    if (!this.shared) throw new Error(`The ${rateClass} class is counted in the store, which this function may not write`);
    const takes = scopes.map(
      (scope): RateTake => ({
        counter: counterOf(scope, rateClass, subject),
        step: gcraStep(this.limits[scope][rateClass], arrivedAtMs),
      }),
    );
    return this.shared.takeRateTokens(takes);
  }
}
