/**
 * The sweeper: ends what nobody else will (ringing past `expires_at`, parties that did not resume
 * in time) and asks whether answered calls still have both parties. It drains every due timer, a
 * page at a time, while the invocation has time for another page.
 */
import type { RoutingDecision } from '../../shared/routing-line';
import type { Applier } from './apply';
import { LivenessChecks } from './liveness-checks';
import type { Messenger } from './messenger';
import type { BoundSocket, CallRecord, CallSettings, CallStore, Clock } from './model';
import { socketsOfParty } from './rules';
import { graceExpired } from './transitions/grace-expired';
import { partiesDropped } from './transitions/party-dropped';
import { ringExpired } from './transitions/ring-expired';
import { staleTimer } from './transitions/stale-timer';

/** Due timers per page of the sweep: one BatchGetItem reads a page's calls. */
const SWEEP_PAGE = 100;

/** What one sweep decided, and the calls it could not handle (each is looked at again next sweep). */
export interface SweepReport {
  decisions: RoutingDecision[];
  failures: unknown[];
}

export interface SweeperDeps {
  store: CallStore;
  messenger: Messenger;
  applier: Applier;
  settings: CallSettings;
  clock: Clock;
}

export class Sweeper {
  /** The throttle of liveness checks; the only memory of calls a container keeps. */
  private readonly liveness: LivenessChecks;

  constructor(private readonly deps: SweeperDeps) {
    this.liveness = new LivenessChecks(deps.settings.livenessCheckSeconds * 1000);
  }

  async sweep(hasTimeLeft: () => boolean = () => true): Promise<SweepReport> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const report: SweepReport = { decisions: [], failures: [] };
    let after: string | undefined;
    do {
      const page = await store.dueTimers(now.toISOString(), SWEEP_PAGE, after);
      // Calls checked a moment ago and found whole are not even read again.
      const unchecked = page.timers.filter((timer) => !this.liveness.checkedRecently(timer, now.getTime()));
      const calls = await store.getCalls(unchecked.map((timer) => timer.callId));
      const outcomes = await Promise.allSettled(calls.map((call) => this.expire(call, now)));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') report.decisions.push(...outcome.value);
        else report.failures.push(outcome.reason);
      }
      after = page.next;
    } while (after !== undefined && hasTimeLeft());
    this.liveness.forgetOlderThan(now.getTime());
    return report;
  }

  private expire(call: CallRecord, now: Date): Promise<RoutingDecision[]> {
    const { applier } = this.deps;
    // The index may lag the item: a timer that moved into the future is not due.
    if (call.deadline_at === undefined || call.deadline_at > now.toISOString()) return Promise.resolve([]);
    if (call.status === 'initiated') return applier.decide(ringExpired(call, now));
    if (call.status === 'answered' && call.disconnected_party) return applier.decide(graceExpired(call, now));
    if (call.status === 'answered') return this.checkLiveness(call, call.deadline_at, now);
    return applier.decide(staleTimer(call));
  }

  /**
   * An answered call nobody has dropped from, due for a liveness check: a party whose socket is gone
   * (its `$disconnect` lost, or never sent) starts its resume grace as a `$disconnect` would have.
   * When both are there nothing is written: the timer stays due and the check's memory spaces them.
   */
  private async checkLiveness(call: CallRecord, timer: string, now: Date): Promise<RoutingDecision[]> {
    const bound: BoundSocket[] = [
      { party: 'caller', connectionId: call.caller_connection_id },
      ...socketsOfParty(call, 'callee').map((connectionId): BoundSocket => ({ party: 'callee', connectionId })),
    ];
    const connected = await Promise.all(bound.map((socket) => this.deps.messenger.isConnected(socket.connectionId)));
    const lost = bound.filter((_, index) => !connected[index]);
    if (lost.length === 0) {
      this.liveness.recordPassed(call.call_id, timer, now.getTime());
      return [];
    }
    const cause = { reason: 'not_connected', seenTimer: timer };
    return this.deps.applier.decide(partiesDropped(call, lost, this.deps.clock.now(), this.deps.settings, cause));
  }
}
