/**
 * The call rules of the protocol ("Calls" in shared/PROTOCOL.md). Every state change that can race
 * (two answers, answer vs. timeout, glare, end vs. resume) is one conditional write, and whoever
 * wins that write is the one who tells the parties: each outcome is announced exactly once.
 */
import type { ClientMessageOf, DeclineReason, EndReason, Envelope, ServerMessage } from '../../shared/protocol';
import { profileKey, type ProfileKey } from '../../shared/profile';
import type { RoutingDecision } from '../../shared/routing-line';
import { ProtocolError } from './errors';
import { LivenessChecks } from './liveness-checks';
import type { Delivery, Messenger } from './messenger';
import type {
  BoundSocket,
  CallChanges,
  CallGuard,
  CallRecord,
  CallSettings,
  CallStore,
  Clock,
  LineRecord,
  Party,
  Sender,
} from './model';
import {
  afterDrops,
  afterResume,
  durationSeconds,
  idKindOf,
  isFinal,
  judgeLineHolder,
  otherParty,
  partyOf,
  restoreId,
  socketsOfParty,
} from './rules';

export interface CallServiceDeps {
  store: CallStore;
  /** How the core reaches sockets (and whether it forgets those found gone: the container decides). */
  messenger: Messenger;
  settings: CallSettings;
  clock: Clock;
  newCallId: () => string;
  /** Waits between looks at a call another handler is still writing. */
  sleep?: (ms: number) => Promise<void>;
}

/** Who a message is stamped as coming from. */
interface Stamp {
  profileId: string | number;
  profileType: string;
  name: string | null;
  avatar: string | null;
}

type ClaimOutcome = 'claimed' | 'yield' | 'busy';

/** How long a message without `call_id` may wait for the invitation it follows (no ordering is guaranteed). */
const IN_FLIGHT_RETRIES = [25, 50, 100, 200];
const MAX_CLAIM_ATTEMPTS = 20;
const CLAIM_WAIT_MS = 50;
const MAX_TRANSITION_ATTEMPTS = 3;
/** Due timers per page of the sweep: one BatchGetItem reads a page's calls. */
const SWEEP_PAGE = 100;

/** What one sweep decided, and the calls it could not handle (each is looked at again next sweep). */
export interface SweepReport {
  decisions: RoutingDecision[];
  failures: unknown[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CallService {
  private readonly store: CallStore;
  private readonly messenger: Messenger;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The sweeper's throttle of liveness checks; the only memory of calls a container keeps. */
  private readonly liveness: LivenessChecks;

  constructor(private readonly deps: CallServiceDeps) {
    this.store = deps.store;
    this.messenger = deps.messenger;
    this.sleep = deps.sleep ?? defaultSleep;
    this.liveness = new LivenessChecks(deps.settings.livenessCheckSeconds * 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Invitation
  // ---------------------------------------------------------------------------------------------

  async invite(sender: Sender, message: ClientMessageOf<'call_invitation'>): Promise<RoutingDecision[]> {
    const calleeKey = profileKey(message.to_profile_type, message.to_profile_id);
    if (calleeKey === sender.key) throw new ProtocolError('cannot_call_self', 'A profile cannot call itself');
    if (!this.deps.settings.profileTypes.includes(message.to_profile_type)) {
      throw new ProtocolError('invalid_message', `Unknown profile type "${message.to_profile_type}"`);
    }

    const now = this.deps.clock.now();
    const call = this.newCall(sender, message, calleeKey, now);
    const line: LineRecord = {
      profileKey: sender.key,
      callId: call.call_id,
      callerKey: sender.key,
      calleeKey,
      claimedAt: now.toISOString(),
    };

    // Independent of each other, so one round trip instead of two.
    const [callerClaim, sockets] = await Promise.all([this.claimLine(line), this.store.socketsOf(calleeKey)]);
    if (callerClaim === 'busy') {
      throw new ProtocolError('already_in_call', 'You are already in a call; end it before placing another');
    }
    if (callerClaim === 'yield') return this.declineAtOnce(call, 'busy');

    if (sockets.length === 0) {
      await this.store.releaseLine(sender.key, call.call_id);
      return this.declineAtOnce(call, 'offline');
    }

    const calleeClaim = await this.claimLine({ ...line, profileKey: calleeKey });
    if (calleeClaim !== 'claimed') {
      await this.store.releaseLine(sender.key, call.call_id);
      return this.declineAtOnce(call, 'busy');
    }

    const ringing: CallRecord = { ...call, callee_connection_ids: sockets.map((socket) => socket.connectionId) };
    await this.store.createCall(ringing);

    const invitation: ServerMessage = {
      type: 'call_invitation',
      ...this.envelope(ringing, stampOfSender(sender)),
      call_type: ringing.call_type,
      to_profile_id: message.to_profile_id,
      to_profile_type: message.to_profile_type,
      offer: message.offer,
      expires_at: ringing.expires_at,
    };
    const delivery = await this.messenger.send(ringing.callee_connection_ids, invitation);

    if (delivery.reached.length === 0) {
      const declined = await this.finalize(ringing, { status: 'initiated' }, declinedChanges('offline', now));
      if (declined) await this.messenger.send([sender.connectionId], this.declinedMessage(declined, 'offline'));
      return [decision(ringing, 'declined', 'offline', delivery)];
    }
    if (delivery.gone.length > 0) {
      await this.update(ringing.call_id, { status: 'initiated' }, { callee_connection_ids: delivery.reached });
    }

    await this.messenger.send([sender.connectionId], {
      type: 'call_ringing',
      call_id: ringing.call_id,
      conversation_id: ringing.conversation_id,
      to_profile_id: message.to_profile_id,
      to_profile_type: message.to_profile_type,
      devices: delivery.reached.length,
      expires_at: ringing.expires_at,
      sent_at: this.nowIso(),
    });
    return [decision(ringing, 'ringing', null, delivery)];
  }

  private newCall(
    sender: Sender,
    message: ClientMessageOf<'call_invitation'>,
    calleeKey: ProfileKey,
    now: Date,
  ): CallRecord {
    const startedAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + this.deps.settings.ringTimeoutSeconds * 1000).toISOString();
    const { identity } = sender;
    return {
      call_id: this.deps.newCallId(),
      conversation_id: message.conversation_id ?? null,
      caller_profile_id: String(identity.profileId),
      caller_profile_type: identity.profileType,
      caller_user_id: identity.userId,
      callee_profile_id: String(message.to_profile_id),
      callee_profile_type: message.to_profile_type,
      call_type: message.call_type,
      status: 'initiated',
      end_reason: null,
      started_at: startedAt,
      answered_at: null,
      ended_at: null,
      duration_seconds: null,
      participants: [
        { profile_id: String(identity.profileId), profile_type: identity.profileType, name: identity.name },
        { profile_id: String(message.to_profile_id), profile_type: message.to_profile_type, name: null },
      ],
      created_at: startedAt,
      caller_key: sender.key,
      callee_key: calleeKey,
      caller_id_kind: idKindOf(identity.profileId),
      callee_id_kind: idKindOf(message.to_profile_id),
      caller_name: identity.name,
      caller_avatar: identity.avatar,
      callee_name: null,
      callee_avatar: null,
      caller_connection_id: sender.connectionId,
      callee_connection_ids: [],
      expires_at: expiresAt,
      deadline_at: expiresAt,
    };
  }

  /** Logs a call that never rang (offline, busy, lost glare) and tells the caller at once. */
  private async declineAtOnce(call: CallRecord, reason: 'offline' | 'busy'): Promise<RoutingDecision[]> {
    const { deadline_at: _timer, ...withoutTimer } = call;
    const declined: CallRecord = { ...withoutTimer, status: 'declined', end_reason: reason, ended_at: this.nowIso() };
    await this.store.createCall(declined);
    await this.messenger.send([call.caller_connection_id], this.declinedMessage(declined, reason));
    return [decision(declined, 'declined', reason)];
  }

  /**
   * Claims `line` for our call. A line held by another call is judged (see `judgeLineHolder`):
   * stale lines are taken over, glare is settled by call id, anything else is busy.
   */
  private async claimLine(line: LineRecord): Promise<ClaimOutcome> {
    let replacing: string | undefined;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const result = await this.store.claimLine(line, replacing);
      if (result.claimed) return 'claimed';
      const holder = result.holder;
      if (!holder) {
        replacing = undefined; // freed meanwhile
        continue;
      }
      const holderCall = await this.store.getCall(holder.callId);
      const verdict = judgeLineHolder(line, holder, holderCall, this.deps.clock.now());
      switch (verdict) {
        case 'busy':
          return 'busy';
        case 'yield':
          return 'yield';
        case 'wait':
          replacing = undefined;
          await this.sleep(CLAIM_WAIT_MS);
          continue;
        case 'stale':
          replacing = holder.callId;
          continue;
        case 'stand': {
          const taken = await this.store.claimLine(line, holder.callId);
          if (!taken.claimed) continue;
          if (holderCall) await this.declineGlareLoser(holderCall);
          return 'claimed';
        }
      }
    }
    return 'busy';
  }

  /** The glare loser is declined `busy`; if it had rung anyone, their ringing stops. */
  private async declineGlareLoser(loser: CallRecord): Promise<void> {
    const now = this.deps.clock.now();
    const declined = await this.finalize(loser, { status: 'initiated' }, declinedChanges('busy', now));
    if (!declined) return;
    await Promise.all([
      this.messenger.send([declined.caller_connection_id], this.declinedMessage(declined, 'busy')),
      this.messenger.send(declined.callee_connection_ids, this.endedMessage(declined, 'cancelled', 'caller')),
    ]);
  }

  // ---------------------------------------------------------------------------------------------
  // Answer, candidates, decline, end
  // ---------------------------------------------------------------------------------------------

  /**
   * The first answer wins. With a `call_id` the answer is one guarded write and no read; only a
   * refused write reads the call, to say precisely why.
   */
  async answer(sender: Sender, message: ClientMessageOf<'call_answer'>): Promise<RoutingDecision[]> {
    const now = this.deps.clock.now();
    const fields = {
      status: 'answered',
      answered_at: now.toISOString(),
      callee_connection_ids: [sender.connectionId],
      callee_name: sender.identity.name,
      callee_avatar: sender.identity.avatar,
    } as const satisfies CallChanges;
    const changes: CallChanges = {
      ...fields,
      callee_participant_name: sender.identity.name,
      deadline_at: this.livenessDeadline(now),
    };
    const guard: CallGuard = { status: 'initiated', notExpiredAt: now.toISOString(), calleeKey: sender.key };
    const ringing =
      message.call_id === undefined ? undefined : await this.update(message.call_id, guard, changes, 'before');
    if (ringing) return this.announceAnswer(sender, message, ringing, fields);

    const call = await this.requireCall(sender, message.call_id);
    if (this.requireParty(call, sender) === 'caller') {
      throw new ProtocolError('forbidden', 'Only the callee can answer a call', call.call_id);
    }
    if (call.status !== 'initiated' || message.call_id !== undefined) throw notRinging(call);
    const rang = await this.update(call.call_id, guard, changes, 'before');
    if (!rang) throw notRinging(call);
    return this.announceAnswer(sender, message, rang, fields);
  }

  /** When an answered call (just answered, or just whole again after a drop) is first due for a liveness check. */
  private livenessDeadline(now: Date): string {
    return new Date(now.getTime() + this.deps.settings.livenessCheckSeconds * 1000).toISOString();
  }

  /**
   * Tells the caller, and stops the callee's other devices ringing. `ringing` is the call just before
   * the answer (whose devices rang); `fields` what the answer changed.
   */
  private async announceAnswer(
    sender: Sender,
    message: ClientMessageOf<'call_answer'>,
    ringing: CallRecord,
    fields: Pick<CallRecord, 'status' | 'answered_at' | 'callee_connection_ids' | 'callee_name' | 'callee_avatar'>,
  ): Promise<RoutingDecision[]> {
    const { deadline_at: _timer, deadline_shard: _shard, ...untimed } = ringing;
    const answered: CallRecord = {
      ...untimed,
      ...fields,
      participants: ringing.participants.map((participant, index) => (index === 1 ? { ...participant, name: sender.identity.name } : participant)),
    };
    const otherDevices = ringing.callee_connection_ids.filter((id) => id !== sender.connectionId);
    const [toCaller] = await Promise.all([
      this.messenger.send([answered.caller_connection_id], {
        type: 'call_answer',
        ...this.envelope(answered, stampOfSender(sender)),
        answer: message.answer,
      }),
      this.messenger.send(otherDevices, this.endedMessage(answered, 'answered_elsewhere', 'callee')),
    ]);
    if (toCaller.gone.length > 0) await this.partiesLost(answered, [{ party: 'caller', connectionId: answered.caller_connection_id }], null);
    return [decision(answered, 'answered', null, toCaller)];
  }

  /**
   * Forwards candidates to the other party. Every batch reads its call (strongly consistent): another
   * container may have ended it or moved it to a new socket a moment ago, and only the store knows.
   */
  async candidates(sender: Sender, message: ClientMessageOf<'ice_candidate'>): Promise<RoutingDecision[]> {
    const call = await this.requireCall(sender, message.call_id);
    const party = this.requireParty(call, sender);
    // Candidates trickling in after the end are expected and harmless: drop them quietly.
    if (isFinal(call.status)) return [decision(call, 'dropped', call.status)];

    const peer = otherParty(party);
    const delivery = await this.messenger.send(socketsOfParty(call, peer), {
      type: 'ice_candidate',
      ...this.envelope(call, stampOfSender(sender)),
      ...(message.candidate !== undefined ? { candidate: message.candidate } : { candidates: message.candidates }),
    });
    const forwarded = decision(call, 'forwarded', null, delivery);
    if (call.status !== 'answered' || delivery.gone.length === 0) return [forwarded];
    return [forwarded, ...(await this.partiesLost(call, [{ party: peer, connectionId: delivery.gone[0]! }], null))];
  }

  async decline(sender: Sender, message: ClientMessageOf<'call_declined'>): Promise<RoutingDecision[]> {
    const call = await this.requireCall(sender, message.call_id);
    if (this.requireParty(call, sender) === 'caller') {
      throw new ProtocolError('forbidden', 'Only the callee can decline; the caller ends the call instead', call.call_id);
    }
    return this.declineBy(sender, call, message.reason);
  }

  private async declineBy(sender: Sender, call: CallRecord, reason: 'rejected' | 'busy'): Promise<RoutingDecision[]> {
    if (call.status !== 'initiated') throw notRinging(call);
    const now = this.deps.clock.now();
    const declined = await this.finalize(call, { status: 'initiated' }, {
      ...declinedChanges(reason, now),
      callee_name: sender.identity.name,
      callee_avatar: sender.identity.avatar,
    });
    if (!declined) throw notRinging(call);
    const otherDevices = call.callee_connection_ids.filter((id) => id !== sender.connectionId);
    const [toCaller] = await Promise.all([
      this.messenger.send([declined.caller_connection_id], this.declinedMessage(declined, reason, stampOfSender(sender))),
      this.messenger.send(otherDevices, this.endedMessage(declined, 'declined_elsewhere', 'callee')),
    ]);
    return [decision(declined, 'declined', reason, toCaller)];
  }

  /** Ends or cancels a call. Idempotent: ending what is over, or nothing, changes nothing. */
  async end(sender: Sender, message: ClientMessageOf<'call_ended'>): Promise<RoutingDecision[]> {
    let call = await this.findCall(sender, message.call_id);
    if (!call) {
      if (message.call_id !== undefined) throw new ProtocolError('call_not_found', 'No such call', message.call_id);
      return [{ ...emptyDecision(), from: sender.key, outcome: 'ignored', reason: 'no_call' }];
    }
    const party = this.requireParty(call, sender);

    for (let attempt = 0; attempt < MAX_TRANSITION_ATTEMPTS; attempt++) {
      if (isFinal(call.status)) return [decision(call, 'ignored', 'already_final')];
      const now = this.deps.clock.now();

      if (call.status === 'answered') {
        const ended = await this.finalize(call, { status: 'answered' }, {
          status: 'ended',
          end_reason: 'hangup',
          ended_at: now.toISOString(),
          duration_seconds: durationSeconds(call.answered_at ?? call.started_at, now.toISOString()),
        });
        if (ended) {
          const delivery = await this.messenger.send(socketsOfParty(ended, otherParty(party)), {
            type: 'call_ended',
            ...this.envelope(ended, stampOfSender(sender)),
            reason: 'hangup',
          });
          return [decision(ended, 'ended', 'hangup', delivery)];
        }
      } else if (party === 'callee') {
        // The callee hanging up a ringing call is declining it.
        try {
          return await this.declineBy(sender, call, 'rejected');
        } catch (error) {
          if (!(error instanceof ProtocolError && error.code === 'call_not_ringing')) throw error;
        }
      } else {
        const missed = await this.finalize(call, { status: 'initiated' }, {
          status: 'missed',
          end_reason: 'cancelled',
          ended_at: now.toISOString(),
        });
        if (missed) {
          const delivery = await this.messenger.send(missed.callee_connection_ids, this.endedMessage(missed, 'cancelled', 'caller'));
          return [decision(missed, 'missed', 'cancelled', delivery)];
        }
      }
      // Someone else changed the call first (an answer, a timeout): look again and end what it became.
      call = (await this.store.getCall(call.call_id)) ?? call;
    }
    return [decision(call, 'ignored', 'contended')];
  }

  // ---------------------------------------------------------------------------------------------
  // Sockets lost and resumed
  // ---------------------------------------------------------------------------------------------

  /** $disconnect: the socket is gone; a ringing caller cancels, a party in an answered call may resume. */
  async socketClosed(sender: Sender): Promise<RoutingDecision[]> {
    await this.store.deleteSocket(sender.connectionId);
    const line = await this.store.getLine(sender.key);
    const call = line ? await this.store.getCall(line.callId) : undefined;
    const base: RoutingDecision = { ...emptyDecision(), from: sender.key, outcome: 'disconnected' };
    if (!call) return [base];

    if (call.status === 'initiated' && call.caller_connection_id === sender.connectionId) {
      const missed = await this.finalize(
        call,
        { status: 'initiated', boundSockets: [{ party: 'caller', connectionId: sender.connectionId }] },
        { status: 'missed', end_reason: 'cancelled', ended_at: this.nowIso() },
      );
      if (!missed) return [base];
      const delivery = await this.messenger.send(missed.callee_connection_ids, this.endedMessage(missed, 'cancelled', 'caller'));
      return [base, decision(missed, 'missed', 'cancelled', delivery)];
    }

    const party = partyOf(call, sender.key);
    if (call.status === 'answered' && party && socketsOfParty(call, party).includes(sender.connectionId)) {
      return [base, ...(await this.partiesLost(call, [{ party, connectionId: sender.connectionId }], null))];
    }
    return [base];
  }

  /**
   * Parties of an answered call found gone (each on the socket the call had it on): their resume
   * grace starts, and a peer still there hears `peer_reconnecting`. With both gone at once there is
   * nobody to tell. `seenTimer` also guards on the timer the caller saw (the sweeper's due one).
   */
  private async partiesLost(
    call: CallRecord,
    lost: readonly BoundSocket[],
    reason: string | null,
    seenTimer?: string,
  ): Promise<RoutingDecision[]> {
    const dropped = afterDrops(call.disconnected_party, lost.map((socket) => socket.party));
    if (!dropped) return []; // already known, already announced
    const graceSeconds = this.deps.settings.resumeGraceSeconds;
    const deadline = new Date(this.deps.clock.now().getTime() + graceSeconds * 1000).toISOString();
    const updated = await this.update(
      call.call_id,
      {
        status: 'answered',
        boundSockets: lost,
        dropped: call.disconnected_party ?? 'nobody',
        ...(seenTimer !== undefined ? { deadlineAt: seenTimer } : {}),
      },
      { disconnected_party: dropped, deadline_at: deadline },
    );
    if (!updated) return [];
    const [only, ...others] = lost;
    if (!only || others.length > 0) return [decision(updated, 'peer_reconnecting', reason)];
    const delivery = await this.messenger.send(socketsOfParty(updated, otherParty(only.party)), {
      type: 'peer_reconnecting',
      ...this.envelope(updated, this.stampOfParty(updated, only.party)),
      grace_seconds: graceSeconds,
    });
    return [decision(updated, 'peer_reconnecting', reason, delivery)];
  }

  /**
   * Re-binds a participant's new socket to its answered call (after a drop, or before the 2 h cap).
   * A resumer who missed the end of its call hears how it ended; one whose peer is still away
   * hears that too, since the peer's own drop was announced to a socket that is gone.
   */
  async resume(sender: Sender, message: ClientMessageOf<'call_resume'>): Promise<RoutingDecision[]> {
    let call = await this.requireCall(sender, message.call_id);
    const party = this.requireParty(call, sender);
    const peer = otherParty(party);
    for (let attempt = 0; attempt < MAX_TRANSITION_ATTEMPTS; attempt++) {
      if (call.status === 'ended') {
        const delivery = await this.messenger.send([sender.connectionId], {
          type: 'call_ended',
          ...this.envelope(call, this.stampOfParty(call, peer)),
          reason: call.end_reason === 'disconnected' ? 'disconnected' : 'hangup',
        });
        return [decision(call, 'ignored', 'already_final', delivery)];
      }
      if (call.status !== 'answered') {
        throw new ProtocolError('call_not_found', 'Only an answered call can be resumed', call.call_id);
      }
      const rebinding: CallChanges =
        party === 'caller' ? { caller_connection_id: sender.connectionId } : { callee_connection_ids: [sender.connectionId] };
      const stillDropped = afterResume(call.disconnected_party, party);
      const resumed = await this.update(
        call.call_id,
        { status: 'answered', dropped: call.disconnected_party ?? 'nobody' },
        {
          ...rebinding,
          // Whole again: the grace timer becomes the next liveness check.
          ...(stillDropped === call.disconnected_party
            ? {}
            : {
                disconnected_party: stillDropped ?? null,
                ...(stillDropped ? {} : { deadline_at: this.livenessDeadline(this.deps.clock.now()) }),
              }),
        },
      );
      if (!resumed) {
        // Someone else changed the call meanwhile (the peer dropped or came back): look again.
        call = (await this.store.getCall(call.call_id)) ?? call;
        continue;
      }

      const delivery = await this.messenger.send(
        [sender.connectionId, ...socketsOfParty(resumed, peer)],
        { type: 'call_resumed', ...this.envelope(resumed, stampOfSender(sender)) },
      );
      if (stillDropped === peer && resumed.deadline_at) {
        const remainingMs = Date.parse(resumed.deadline_at) - this.deps.clock.now().getTime();
        await this.messenger.send([sender.connectionId], {
          type: 'peer_reconnecting',
          ...this.envelope(resumed, this.stampOfParty(resumed, peer)),
          grace_seconds: Math.max(0, Math.round(remainingMs / 1000)),
        });
      }
      return [decision(resumed, 'resumed', null, delivery)];
    }
    throw new ProtocolError('call_not_found', 'The call kept changing while resuming; please retry', call.call_id);
  }

  // ---------------------------------------------------------------------------------------------
  // Timers
  // ---------------------------------------------------------------------------------------------

  /**
   * Ends what nobody else will: ringing past `expires_at`, and parties that did not resume in time;
   * and asks whether answered calls still have both parties. Drains every due timer, a page at a
   * time, while `hasTimeLeft` says the invocation has time for another page.
   */
  async sweep(hasTimeLeft: () => boolean = () => true): Promise<SweepReport> {
    const now = this.deps.clock.now();
    const report: SweepReport = { decisions: [], failures: [] };
    let after: string | undefined;
    do {
      const page = await this.store.dueTimers(now.toISOString(), SWEEP_PAGE, after);
      // Calls checked a moment ago and found whole are not even read again.
      const unchecked = page.timers.filter((timer) => !this.liveness.checkedRecently(timer, now.getTime()));
      const calls = await this.store.getCalls(unchecked.map((timer) => timer.callId));
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

  private async expire(call: CallRecord, now: Date): Promise<RoutingDecision[]> {
    const endedAt = now.toISOString();
    // The index may lag the item: a timer that moved into the future is not due.
    if (call.deadline_at === undefined || call.deadline_at > endedAt) return [];
    const guard: CallGuard = { status: call.status, deadlineAt: call.deadline_at };

    if (call.status === 'initiated') {
      const missed = await this.finalize(call, guard, { status: 'missed', end_reason: 'timeout', ended_at: endedAt });
      if (!missed) return [];
      const [toCaller, toCallee] = await Promise.all([
        this.messenger.send([missed.caller_connection_id], this.declinedMessage(missed, 'timeout')),
        this.messenger.send(missed.callee_connection_ids, this.endedMessage(missed, 'timeout', 'caller')),
      ]);
      return [decision(missed, 'missed', 'timeout', merge(toCaller, toCallee))];
    }

    if (call.status === 'answered' && call.disconnected_party) {
      const lost = call.disconnected_party;
      const ended = await this.finalize(call, guard, {
        status: 'ended',
        end_reason: 'disconnected',
        ended_at: endedAt,
        duration_seconds: durationSeconds(call.answered_at ?? call.started_at, endedAt),
      });
      if (!ended) return [];
      // When both dropped and neither came back, nobody is left to tell.
      const delivery =
        lost === 'both'
          ? { reached: [], gone: [] }
          : await this.messenger.send(socketsOfParty(ended, otherParty(lost)), this.endedMessage(ended, 'disconnected', lost));
      return [decision(ended, 'ended', 'disconnected', delivery)];
    }

    if (call.status === 'answered') return this.checkLiveness(call, call.deadline_at, now);

    // A timer left on a call that no longer needs one.
    await this.update(call.call_id, guard, { deadline_at: null });
    return [];
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
    const connected = await Promise.all(bound.map((socket) => this.messenger.isConnected(socket.connectionId)));
    const lost = bound.filter((_, index) => !connected[index]);
    if (lost.length === 0) {
      this.liveness.recordPassed(call.call_id, timer, now.getTime());
      return [];
    }
    return this.partiesLost(call, lost, 'not_connected', timer);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  private async update(...args: Parameters<CallStore['updateCall']>): Promise<CallRecord | undefined> {
    const write = await this.store.updateCall(...args);
    return write.won ? write.call : undefined;
  }

  /** Applies a final transition and frees both lines; undefined if someone else changed the call first. */
  private async finalize(call: CallRecord, guard: CallGuard, changes: CallChanges): Promise<CallRecord | undefined> {
    const updated = await this.update(call.call_id, guard, { ...changes, deadline_at: null, disconnected_party: null });
    if (updated) {
      await Promise.all([
        this.store.releaseLine(updated.caller_key, updated.call_id),
        this.store.releaseLine(updated.callee_key, updated.call_id),
      ]);
    }
    return updated;
  }

  /**
   * The call a message is about: by `call_id`, or (seed-format clients) the one call the sender's
   * profile is in. Without `call_id` the message may overtake the invitation it follows, so look a
   * few times before concluding there is none.
   */
  private async findCall(sender: Sender, callId: string | undefined): Promise<CallRecord | undefined> {
    if (callId !== undefined) return this.store.getCall(callId);
    for (let attempt = 0; ; attempt++) {
      const line = await this.store.getLine(sender.key);
      const call = line ? await this.store.getCall(line.callId) : undefined;
      const delay = IN_FLIGHT_RETRIES[attempt];
      if (call || delay === undefined) return call;
      await this.sleep(delay);
    }
  }

  private async requireCall(sender: Sender, callId: string | undefined): Promise<CallRecord> {
    const call = await this.findCall(sender, callId);
    if (!call) {
      throw new ProtocolError(
        'call_not_found',
        callId === undefined ? 'You are not in a call' : 'No such call',
        callId,
      );
    }
    return call;
  }

  private requireParty(call: CallRecord, sender: Sender): Party {
    const party = partyOf(call, sender.key);
    if (!party) throw new ProtocolError('not_a_participant', 'You are not a participant of this call', call.call_id);
    return party;
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private envelope(call: CallRecord, from: Stamp): Envelope {
    return {
      call_id: call.call_id,
      conversation_id: call.conversation_id,
      from_profile_id: from.profileId,
      from_profile_type: from.profileType,
      from_name: from.name,
      from_avatar: from.avatar,
      sent_at: this.nowIso(),
    };
  }

  private stampOfParty(call: CallRecord, party: Party): Stamp {
    return party === 'caller'
      ? {
          profileId: restoreId(call.caller_profile_id, call.caller_id_kind),
          profileType: call.caller_profile_type,
          name: call.caller_name,
          avatar: call.caller_avatar,
        }
      : {
          profileId: restoreId(call.callee_profile_id, call.callee_id_kind),
          profileType: call.callee_profile_type,
          name: call.callee_name,
          avatar: call.callee_avatar,
        };
  }

  /** `call_declined` to the caller, from the callee (the decliner's own identity when it declined). */
  private declinedMessage(call: CallRecord, reason: DeclineReason, from?: Stamp): ServerMessage {
    return { type: 'call_declined', ...this.envelope(call, from ?? this.stampOfParty(call, 'callee')), reason };
  }

  private endedMessage(call: CallRecord, reason: EndReason, from: Party): ServerMessage {
    return { type: 'call_ended', ...this.envelope(call, this.stampOfParty(call, from)), reason };
  }
}

function stampOfSender(sender: Sender): Stamp {
  const { identity } = sender;
  return { profileId: identity.profileId, profileType: identity.profileType, name: identity.name, avatar: identity.avatar };
}

function declinedChanges(reason: DeclineReason, now: Date): CallChanges {
  return { status: 'declined', end_reason: reason, ended_at: now.toISOString() };
}

function notRinging(call: CallRecord): ProtocolError {
  return new ProtocolError('call_not_ringing', `The call is ${call.status}, not ringing`, call.call_id);
}

function emptyDecision(): RoutingDecision {
  return { call_id: null, from: null, to: null, outcome: 'ignored', reason: null, sockets_reached: 0, gone_sockets: 0 };
}

function decision(
  call: CallRecord,
  outcome: RoutingDecision['outcome'],
  reason: string | null,
  delivery?: Delivery,
): RoutingDecision {
  return {
    call_id: call.call_id,
    from: call.caller_key,
    to: call.callee_key,
    outcome,
    reason,
    sockets_reached: delivery?.reached.length ?? 0,
    gone_sockets: delivery?.gone.length ?? 0,
  };
}

function merge(a: Delivery, b: Delivery): Delivery {
  return { reached: [...a.reached, ...b.reached], gone: [...a.gone, ...b.gone] };
}
