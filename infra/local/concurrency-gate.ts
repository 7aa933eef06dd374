/**
 * One function's concurrency limit with a waiting line in front of it: at most `limit` invocations
 * run at once, the rest wait in arrival order, and one arriving when `queueDepth` already wait is
 * turned away (Lambda's throttle). A slot is handed straight to the oldest waiter when it frees, so
 * nothing that arrives later can overtake the line.
 */

export type Release = () => void;

interface Waiter {
  admit(release: Release): void;
  refuse(reason: Error): void;
}

export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly limit: number,
    readonly queueDepth: number,
  ) {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`a concurrency limit must be a whole number, got ${limit}`);
    if (!Number.isInteger(queueDepth) || queueDepth < 0) throw new Error(`a queue depth must be a whole number, got ${queueDepth}`);
  }

  /**
   * A slot (resolves with its release, once one is free and everyone ahead has had theirs), or
   * `'throttled'` when the line is full. A limit of 0 (reserved concurrency 0) throttles everything.
   */
  enter(): Promise<Release> | 'throttled' {
    if (this.limit === 0) return 'throttled';
    if (this.running < this.limit && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queueDepth) return 'throttled';
    return new Promise<Release>((admit, refuse) => this.waiting.push({ admit, refuse }));
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Invocations waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Turns away everyone still waiting (shutdown); returns how many there were. */
  refuseWaiting(reason: Error): number {
    const refused = this.waiting.splice(0);
    for (const waiter of refused) waiter.refuse(reason);
    return refused.length;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes to the next in line without ever being free for a newcomer.
      if (next) next.admit(this.releaser());
      else this.running--;
    };
  }
}
