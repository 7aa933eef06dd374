/**
 * What one socket has received, by tag: a waiter gets the arrival whenever it comes (before or
 * after the wait starts), with the time it arrived. Bounded: old unclaimed arrivals are dropped.
 */

export type InboundKind = 'invite' | 'answer' | 'candidate' | 'end' | 'ringing' | 'pong' | 'open' | 'error' | 'other';

/** A received message as a dialect reads it. */
export interface Inbound {
  kind: InboundKind;
  /** Matches the tag of the send it answers or forwards. */
  tag: string;
  /** The server's call id, where the relay has one. */
  callId?: string;
  detail?: string;
}

export interface Arrival {
  inbound: Inbound;
  /** `performance.now()` when the frame arrived. */
  at: number;
}

const MAX_UNCLAIMED = 10_000;

export class Inbox {
  private readonly unclaimed = new Map<string, Arrival>();
  private readonly waiters = new Map<string, (arrival: Arrival) => void>();
  /** Refusals the relay sent (`error` messages), for the round's report. */
  readonly errors: string[] = [];
  /**
   * Arrivals handed to a waiter. Frames the socket received minus these are the ones nobody asked
   * for: another call's messages, duplicates (the map keeps one per tag), refusals, unreadable frames.
   */
  claimed = 0;

  deliver(arrival: Arrival): void {
    if (arrival.inbound.kind === 'error' && this.errors.length < 100) this.errors.push(arrival.inbound.detail ?? arrival.inbound.tag);
    const waiter = this.waiters.get(arrival.inbound.tag);
    if (waiter) {
      this.waiters.delete(arrival.inbound.tag);
      waiter(arrival);
      return;
    }
    if (this.unclaimed.size >= MAX_UNCLAIMED) {
      const oldest = this.unclaimed.keys().next();
      if (!oldest.done) this.unclaimed.delete(oldest.value);
    }
    this.unclaimed.set(arrival.inbound.tag, arrival);
  }

  /** What arrived and nobody waited for (yet), oldest first: a finished run expects none it did not ask for. */
  unclaimedArrivals(): Arrival[] {
    return [...this.unclaimed.values()];
  }

  /** The arrival tagged `tag`, or undefined if none came by `deadline` (a `performance.now()` time). */
  wait(tag: string, deadline: number): Promise<Arrival | undefined> {
    const arrived = this.unclaimed.get(tag);
    if (arrived) {
      this.unclaimed.delete(tag);
      this.claimed++;
      return Promise.resolve(arrived);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          if (this.waiters.get(tag) === settle) this.waiters.delete(tag);
          resolve(undefined);
        },
        Math.max(0, deadline - performance.now()),
      );
      const settle = (arrival: Arrival): void => {
        clearTimeout(timer);
        this.claimed++;
        resolve(arrival);
      };
      this.waiters.set(tag, settle);
    });
  }
}
