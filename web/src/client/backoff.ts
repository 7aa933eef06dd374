/** Exponential backoff with jitter, so a fleet of clients does not reconnect in lockstep after an outage. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of each delay that is randomized (0 = none, 0.5 = ±50 %). */
  jitter: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, jitter: 0.3, random: Math.random };

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const { initialMs, maxMs, jitter, random } = this.options;
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt++;
    const spread = base * jitter;
    return Math.max(0, Math.round(base - spread + random() * 2 * spread));
  }

  reset(): void {
    this.attempt = 0;
  }
}
