/**
 * Carries out the transitions of `transitions/`: one conditional write, the lines freed when the
 * call reaches a final status, the announcements, the routing line. Whoever wins the write is the
 * one who tells the parties, so each outcome is announced exactly once; a write that lost a race
 * (someone else changed the call first) announces nothing.
 */
import type { RoutingDecision } from '../../shared/routing-line';
import type { Delivery, Messenger } from './messenger';
import type { BoundSocket, CallRecord, CallStore } from './model';
import { callDecision, mergeDeliveries } from './routing';
import { isFinal } from './rules';
import type { Announcement, Send, Settled, Step, Transition } from './transitions/transition';

/** How often a step is planned again for a call that keeps changing under it. */
const MAX_ATTEMPTS = 3;

export interface Applied {
  /** The call as the step left it. */
  call: CallRecord;
  /** Its routing line, if it makes one. */
  decisions: RoutingDecision[];
  /** Parties of an answered call that a message found gone, each on the socket it went to. */
  lost: BoundSocket[];
  /** Sockets the counted messages reached. */
  reached: number;
}

/** A write that lost: `current` is the call as the store found it, when the store said. */
export interface Overtaken {
  overtaken: true;
  current?: CallRecord;
}

export class Applier {
  constructor(
    private readonly store: CallStore,
    private readonly messenger: Messenger,
  ) {}

  /** Applies a step once; undefined when its write lost. */
  async apply(step: Step): Promise<Applied | undefined> {
    const result = await this.attempt(step);
    return 'overtaken' in result ? undefined : result;
  }

  /** Applies a step once: its routing lines (none when its write lost). */
  async decide(step: Step): Promise<RoutingDecision[]> {
    return (await this.apply(step))?.decisions ?? [];
  }

  /** Announces what a step with nothing to write says. */
  settle(step: Settled): Promise<Applied> {
    return this.announce(step.call, step.announcement);
  }

  async attempt(step: Step): Promise<Applied | Overtaken> {
    if (step.kind === 'settled') return this.settle(step);
    const write = await this.store.updateCall(step.callId, step.guard, step.changes, step.image);
    if (!write.won) return { overtaken: true, ...(write.current ? { current: write.current } : {}) };
    if (isFinalChange(step)) {
      // The write has won: its news must go out even if a release fails. A line left held by a
      // final call is taken over by the next claim of that profile (`transitions/glare.ts`: stale).
      await Promise.allSettled([
        this.store.releaseLine(write.call.caller_key, write.call.call_id),
        this.store.releaseLine(write.call.callee_key, write.call.call_id),
      ]);
    }
    return this.announce(write.call, step.announce(write.call));
  }

  /**
   * The one retry loop: plans a step for the call as it stands and applies it; when its write lost,
   * plans again for the call as it now is (as the store returned it, else read again). `plan` may
   * throw a refusal. Undefined when the call kept changing for every attempt.
   */
  async untilWon(call: CallRecord, plan: (call: CallRecord) => Step): Promise<Applied | undefined> {
    let current = call;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await this.attempt(plan(current));
      if (!('overtaken' in result)) return result;
      current = result.current ?? (await this.store.getCall(current.call_id)) ?? current;
    }
    return undefined;
  }

  private async announce(image: CallRecord, announcement: Announcement): Promise<Applied> {
    const call = announcement.call ?? image;
    const deliveries = await this.send(announcement.sends);
    const counted = deliveries.filter((_, index) => announcement.sends[index]?.counted);
    const lost = announcement.sends.flatMap((send, index): BoundSocket[] => {
      const gone = deliveries[index]?.gone[0];
      return send.party && gone !== undefined ? [{ party: send.party, connectionId: gone }] : [];
    });
    const { line } = announcement;
    const countedDelivery = mergeDeliveries(counted);
    const decisions = line ? [callDecision(call, line.outcome, line.reason, countedDelivery)] : [];
    return { call, decisions, lost, reached: countedDelivery.reached.length };
  }

  /** Delivers messages that go with no transition (a call logged as declined at once). */
  deliver(sends: readonly Send[]): Promise<Delivery[]> {
    return this.send(sends);
  }

  /** Sends at once what goes to different sockets; a message to a socket already sent to waits for the earlier one. */
  private async send(sends: readonly Send[]): Promise<Delivery[]> {
    const targets = await Promise.all(sends.map((send) => this.socketsOf(send)));
    const latest = new Map<string, Promise<Delivery>>();
    return Promise.all(
      sends.map((send, index) => {
        const to = targets[index] ?? [];
        const earlier = to.flatMap((id) => latest.get(id) ?? []);
        const delivery = Promise.all(earlier).then(() => this.messenger.send(to, send.message));
        for (const id of to) latest.set(id, delivery);
        return delivery;
      }),
    );
  }

  /** The sockets a send names, with those of its profile looked up when it names one. */
  private async socketsOf(send: Send): Promise<readonly string[]> {
    if (send.toProfile === undefined) return send.to;
    const sockets = await this.store.socketsOf(send.toProfile);
    return [...send.to, ...sockets.map((socket) => socket.connectionId)];
  }
}

/** A transition to a final status frees both lines (the profiles may place and take calls again). */
const isFinalChange = (step: Transition): boolean => step.changes.status !== undefined && isFinal(step.changes.status);
