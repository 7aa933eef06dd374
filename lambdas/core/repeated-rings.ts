/**
 * Repeated unanswered rings from one caller to one callee, counted in the store per ordered pair so
 * the limit holds whichever container takes the invitation: a GCRA bucket of `limit` rings that
 * regains one ring per window. So there are never more than `limit` in any window, then one more
 * each window. An answered call gives its ring back.
 */
import type { ProfileKey } from '../../shared/profile';
import type { CallRecord, Clock, GcraStep, RateCounter, RateTokenStore } from './model';
import { gcraStep, type Rate } from './rate-limiter';

export interface PairRingSettings {
  limit: number;
  windowSeconds: number;
}

export class RepeatedRings {
  private readonly rate: Rate;

  constructor(
    private readonly counters: RateTokenStore,
    settings: PairRingSettings,
    private readonly clock: Clock,
    /** Told when a ring could not be given back (the answer stands; the caller has one ring fewer for a while). */
    private readonly onGiveBackFailed: (error: unknown) => void = () => undefined,
  ) {
    this.rate = { perSecond: 1 / settings.windowSeconds, burst: settings.limit };
  }

  /** Counts one ring; false when the caller has used up its rings to this callee. */
  take(callerKey: ProfileKey, calleeKey: ProfileKey): Promise<boolean> {
    return this.counters.takeRateToken(pairCounter(callerKey, calleeKey), this.step());
  }

  /** The call was answered: it does not count as an unanswered ring. Never fails the answer. */
  async answered(call: Pick<CallRecord, 'caller_key' | 'callee_key'>): Promise<void> {
    await this.counters.returnRateToken(pairCounter(call.caller_key, call.callee_key), this.step()).catch(this.onGiveBackFailed);
  }

  private step(): GcraStep {
    return gcraStep(this.rate, this.clock.now().getTime());
  }
}

const pairCounter = (callerKey: ProfileKey, calleeKey: ProfileKey): RateCounter => ({ scope: 'ring_pair', callerKey, calleeKey });
