/**
 * Whether a socket's message is let through its rate limit. The bucket in this container's memory
 * is a first filter that costs nothing; for the classes counted in the store (offers) a message it
 * lets through must also get a token from the socket's shared counter, so the limit holds however
 * many containers the socket's messages land in. The other classes stay per container: a shared
 * counter per candidate or ping would cost a write for each.
 */
import type { Clock, RateTokenStore } from './model';
import { gcraStep, rateClassOf, type RateClass, type RateLimiter, type RateLimits } from './rate-limiter';

/** Offers ring devices: few, and worth a write each to count exactly. */
export const SHARED_RATE_CLASSES: readonly RateClass[] = ['offers'];

export class Admission {
  constructor(
    private readonly memory: RateLimiter,
    private readonly limits: RateLimits,
    private readonly clock: Clock,
    /** Absent in a container whose function may not write `connections`; its routes draw on no shared class. */
    private readonly shared?: RateTokenStore,
  ) {}

  /**
   * `arrivedAtMs` is when the API received the message (API Gateway's `requestTimeEpoch`): counted
   * by arrival, a burst stays a burst however long the containers handling it took to start.
   */
  async admits(connectionId: string, route: string, arrivedAtMs: number = this.clock.now().getTime()): Promise<boolean> {
    if (!this.memory.tryTake(connectionId, route, arrivedAtMs)) return false;
    const rateClass = rateClassOf(route);
    if (!SHARED_RATE_CLASSES.includes(rateClass)) return true;
    if (!this.shared) throw new Error(`Route ${route} draws on the shared ${rateClass} counter, which this function may not write`);
    return this.shared.takeRateToken(connectionId, rateClass, gcraStep(this.limits[rateClass], arrivedAtMs));
  }
}
