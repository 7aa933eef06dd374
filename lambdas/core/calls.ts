/**
 * The call core's entry points, one per message (and one for a closed socket, one for the sweeper):
 * each finds the call, plans the transition of `transitions/` that the protocol's "Calls" section
 * says, and has `apply.ts` carry it out. Every change that can race is one conditional write.
 */
import type { CallInviteRequest } from '../../shared/platform-api';
import type { ClientMessageOf } from '../../shared/protocol';
import type { RoutingDecision } from '../../shared/routing-line';
import { Applier, type Applied } from './apply';
import type { PolicyPassed } from './call-policy';
import { candidateRecipients, forwardCandidates } from './candidates';
import { forwardRenegotiation } from './renegotiation';
import { notRinging, ProtocolError } from './errors';
import { callerBound, notAParticipant, partyOf } from './rules';
import { CallFinder } from './find-call';
import { Invitations } from './invite';
import { InvitedCalls, type StartedCall } from './invited-calls';
import { LineClaims, type SessionLineHolders } from './lines';
import type { Messenger } from './messenger';
import type { CallRecord, CallSettings, CallStore, Clock, Sender } from './model';
import type { ProfileSettingsStore } from './profile-settings';
import type { RepeatedRings } from './repeated-rings';
import { callDecision, senderDecision } from './routing';
import { SocketFeatures } from './socket-features';
import { Sweeper, type SweepReport } from './sweep';
import { answer, assertAnswerable } from './transitions/answer';
import { decline } from './transitions/decline';
import { end } from './transitions/end';
import { partiesDropped } from './transitions/party-dropped';
import { resume } from './transitions/party-resumed';
import { resumeRinging } from './transitions/ringing-resumed';
import { socketLost } from './transitions/socket-lost';

export type { SweepReport } from './sweep';

export interface CallServiceDeps {
  store: CallStore;
  /** Callees' own settings, read on every invitation. */
  profileSettings: Pick<ProfileSettingsStore, 'settingsOf'>;
  /** How the core reaches sockets (and whether it forgets those found gone: the container decides). */
  messenger: Messenger;
  settings: CallSettings;
  clock: Clock;
  newCallId: () => string;
  /** Unanswered rings per caller and callee: counted by invitations, given back by answers. */
  rings: RepeatedRings;
  /** Waits between looks at a call another handler is still writing. */
  sleep?: (ms: number) => Promise<void>;
  /** Judges lines held by whiteboard session calls (functions that may read their table). */
  sessionLineHolders?: SessionLineHolders;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CallService {
  private readonly store: CallStore;
  private readonly settings: CallSettings;
  private readonly clock: Clock;
  private readonly applier: Applier;
  private readonly calls: CallFinder;
  private readonly invitations: Invitations;
  private readonly invited: InvitedCalls;
  private readonly sweeper: Sweeper;
  private readonly rings: RepeatedRings;
  private readonly messenger: Messenger;
  private readonly socketFeatures: SocketFeatures;

  constructor(deps: CallServiceDeps) {
    const { store, messenger, settings, clock } = deps;
    const sleep = deps.sleep ?? defaultSleep;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.rings = deps.rings;
    this.messenger = messenger;
    this.applier = new Applier(store, messenger);
    this.socketFeatures = new SocketFeatures(store);
    this.calls = new CallFinder(store, sleep);
    const lines = new LineClaims(store, this.applier, clock, sleep, deps.sessionLineHolders);
    this.invitations = new Invitations({
      store,
      messenger,
      applier: this.applier,
      lines,
      profileSettings: deps.profileSettings,
      settings,
      clock,
      newCallId: deps.newCallId,
      rings: deps.rings,
    });
    this.invited = new InvitedCalls({
      store,
      messenger,
      applier: this.applier,
      invitations: this.invitations,
      calls: this.calls,
      settings,
      clock,
      newCallId: deps.newCallId,
    });
    this.sweeper = new Sweeper({ store, messenger, applier: this.applier, settings, clock });
  }

  invite(sender: Sender, message: ClientMessageOf<'call_invitation'>, policy: PolicyPassed): Promise<RoutingDecision[]> {
    return this.invitations.invite(sender, message, policy);
  }

  /** The call the platform started that an invitation's `call_id` names for its sender, the caller (else undefined). */
  platformCallFor(sender: Sender, callId: string): Promise<CallRecord | undefined> {
    return this.invited.startedFor(sender, callId);
  }

  /** The caller's offer into a call the platform started (`platformCallFor` found it). */
  offerInto(call: CallRecord, sender: Sender, message: ClientMessageOf<'call_invitation'>): Promise<RoutingDecision[]> {
    return this.invited.offer(sender, { ...message, call_id: call.call_id }, call);
  }

  /** The platform's backend starts a call (`POST /v1/calls/invite`): the callee's sockets ring with `call_invite`. */
  startInvitedCall(request: CallInviteRequest): Promise<StartedCall> {
    return this.invited.start(request);
  }

  /** A callee socket accepts a call the platform started. */
  acceptInvite(sender: Sender, message: ClientMessageOf<'call_invite_accept'>): Promise<RoutingDecision[]> {
    return this.invited.accept(sender, message);
  }

  /**
   * The first answer wins. With a `call_id` the answer is one guarded write and no read; only a
   * refused write needs the call, to say precisely why (DynamoDB hands it back with the refusal).
   */
  async answer(sender: Sender, message: ClientMessageOf<'call_answer'>): Promise<RoutingDecision[]> {
    const now = this.clock.now();
    const answering = (callId: string) => answer(callId, sender, message.answer, now, this.settings);
    if (message.call_id !== undefined) {
      const first = await this.applier.attempt(answering(message.call_id));
      if (!('overtaken' in first)) return this.answered(first);
      const call = first.current ?? (await this.calls.require(sender, message.call_id));
      assertAnswerable(call, sender);
      throw notRinging(call);
    }
    const call = await this.calls.require(sender, undefined);
    assertAnswerable(call, sender);
    const applied = await this.applier.apply(answering(call.call_id));
    if (!applied) throw notRinging(call);
    return this.answered(applied);
  }

  /**
   * A caller the answer found gone has dropped, as if its `$disconnect` had come; the route logs the
   * answer only. The answer won, once, so the caller's ring to this callee is given back once.
   */
  private async answered(applied: Applied): Promise<RoutingDecision[]> {
    await Promise.all([
      this.applier.decide(partiesDropped(applied.call, applied.lost, this.clock.now(), this.settings)),
      this.rings.answered(applied.call),
    ]);
    return applied.decisions;
  }

  /** Forwards candidates by the call as stored now; a peer they find gone has dropped. */
  async candidates(sender: Sender, message: ClientMessageOf<'ice_candidate'>): Promise<RoutingDecision[]> {
    const call = await this.calls.require(sender, message.call_id);
    // Only a batch needs to know who reads batches: one candidate is the seed's shape already.
    const batchReaders = message.candidates ? await this.socketFeatures.batchReaders(candidateRecipients(call, sender)) : new Set<string>();
    const forwarded = await this.applier.settle(forwardCandidates(call, sender, message, this.clock.now(), batchReaders));
    const drop = partiesDropped(forwarded.call, forwarded.lost, this.clock.now(), this.settings);
    return [...forwarded.decisions, ...(await this.applier.decide(drop))];
  }

  /** Forwards a later offer or answer by the call as stored now; it writes nothing. */
  async renegotiate(sender: Sender, message: ClientMessageOf<'call_renegotiate'>): Promise<RoutingDecision[]> {
    const call = await this.calls.require(sender, message.call_id);
    return (await this.applier.settle(forwardRenegotiation(call, sender, message, this.clock.now()))).decisions;
  }

  async decline(sender: Sender, message: ClientMessageOf<'call_declined'>): Promise<RoutingDecision[]> {
    const call = await this.calls.require(sender, message.call_id);
    const declined = await this.applier.apply(decline(call, sender, message.reason, this.clock.now()));
    if (!declined) throw notRinging(call);
    return declined.decisions;
  }

  /** Ends or cancels a call. Idempotent: ending what is over, or nothing, changes nothing. */
  async end(sender: Sender, message: ClientMessageOf<'call_ended'>): Promise<RoutingDecision[]> {
    const call = await this.calls.find(sender, message.call_id);
    if (!call) {
      if (message.call_id !== undefined) throw notAParticipant(message.call_id);
      return [senderDecision(sender, 'ignored', 'no_call')];
    }
    // Someone else may change the call first (an answer, a timeout): then end what it became.
    const ended = await this.applier.untilWon(call, (current) => end(current, sender, this.clock.now()));
    return ended ? ended.decisions : [callDecision(call, 'ignored', 'contended')];
  }

  /** `$disconnect`: the socket is gone; a ringing caller cancels, a party in an answered call may resume. */
  async socketClosed(sender: Sender): Promise<RoutingDecision[]> {
    await this.store.deleteSocket(sender.connectionId);
    const line = await this.store.getLine(sender.key);
    const call = line ? await this.store.getCall(line.callId) : undefined;
    const closed = senderDecision(sender, 'disconnected', null);
    if (!call) return [closed];
    return [closed, ...(await this.applier.decide(socketLost(call, sender, this.clock.now(), this.settings)))];
  }

  /** Re-binds a participant's new socket to its answered call; the peer dropping or coming back meanwhile means another look. */
  async resume(sender: Sender, message: ClientMessageOf<'call_resume'>): Promise<RoutingDecision[]> {
    const call = await this.calls.require(sender, message.call_id);
    if (message.ringing === true && partyOf(call, sender.key) === 'callee') return this.resumeRinging(call, sender);
    const resumed = await this.applier.untilWon(call, (current) => resume(current, sender, this.clock.now(), this.settings));
    if (!resumed) throw new ProtocolError('call_not_found', 'The call kept changing while resuming; please retry', call.call_id);
    return resumed.decisions;
  }

  /**
   * A callee device the call rang on is back on a new socket. Whether the caller's socket is still
   * there is asked once, first: a caller gone without `$disconnect` cancels the call.
   */
  private async resumeRinging(call: CallRecord, sender: Sender): Promise<RoutingDecision[]> {
    const callerGone = call.status === 'initiated' && callerBound(call) && !(await this.messenger.isConnected(call.caller_connection_id));
    const resumed = await this.applier.untilWon(call, (current) => resumeRinging(current, sender, this.clock.now(), callerGone));
    if (!resumed) throw new ProtocolError('call_not_found', 'The call kept changing while resuming; please retry', call.call_id);
    return resumed.decisions;
  }

  sweep(hasTimeLeft?: () => boolean): Promise<SweepReport> {
    return this.sweeper.sweep(hasTimeLeft);
  }
}
