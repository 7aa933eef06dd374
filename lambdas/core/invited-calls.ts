/**
 * Calls the platform's backend starts (`POST /v1/calls/invite`, as seed 000's `POST /api/calls/invite`):
 *
 * 1. `start`: both lines are claimed and every socket of the callee rings with `call_invite` (the
 *    seed's fields, no offer); or the call is declined at once (`offline`, `busy`) and logged,
 *    exactly as an invitation would be. The caller has no socket in the call yet.
 * 2. `accept`: a callee socket accepts (`call_invite_accept`); the other callee sockets stop
 *    ringing and every socket of the caller hears `call_invite_accepted`. A caller with no socket
 *    left cancels the call (as a caller's socket lost while ringing does).
 * 3. `offer`: a caller socket sends the usual `call_invitation` with the `call_id` and its offer
 *    (a `call_id` that names no such call of the sender is ignored); the first one binds the call (another tab of the caller hears `call_ended`
 *    `answered_elsewhere`), the offer reaches the accepting socket only and the caller hears
 *    `call_ringing`. From there the call is like any other: `call_answer`, candidates, the end.
 *
 * It is one call in `call_logs` throughout; declines, cancels and the ring timeout apply as usual.
 */
import type { CallInviteRequest, CallInviteResponse } from '../../shared/platform-api';
import { profileKey } from '../../shared/profile';
import type { ClientMessageOf, ServerMessage } from '../../shared/protocol';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Applier } from './apply';
import { endedMessage, envelope, ringingMessage, stampOfParty } from './envelope';
import { notRinging, ProtocolError } from './errors';
import type { CallFinder } from './find-call';
import { newCall, type Invitations, type NewCaller } from './invite';
import type { Messenger } from './messenger';
import { requireKnownProfileTypes } from './platform-queries';
import { UNBOUND, type CallRecord, type CallSettings, type CallStore, type Clock, type Sender } from './model';
import { callDecision } from './routing';
import { callerBound, isFinal } from './rules';
import { acceptInvite } from './transitions/accept-invite';
import { cancel } from './transitions/cancel';
import { declineForCallee } from './transitions/decline';
import { offerInvited } from './transitions/offer-invited';

/** What seed 000 shows when the caller has no name. */
export const UNNAMED_CALLER = 'Someone';

export interface InvitedCallsDeps {
  store: CallStore;
  messenger: Messenger;
  applier: Applier;
  invitations: Invitations;
  calls: CallFinder;
  settings: CallSettings;
  clock: Clock;
  newCallId: () => string;
}

export interface StartedCall {
  response: CallInviteResponse;
  decisions: RoutingDecision[];
}

type Offer = ClientMessageOf<'call_invitation'> & { call_id: string };

export class InvitedCalls {
  constructor(private readonly deps: InvitedCallsDeps) {}

  async start(request: CallInviteRequest): Promise<StartedCall> {
    const { settings, clock } = this.deps;
    const { invitations } = this.deps;
    const callerKey = profileKey(request.caller.profile_type, request.caller.profile_id);
    requireKnownProfileTypes([request.caller.profile_type], settings.profileTypes);
    const calleeKey = invitations.calleeOf(callerKey, request.callee);
    // As for an invitation: the caller's unanswered rings to this callee are limited, counted first.
    await invitations.countRing(callerKey, calleeKey);
    const caller: NewCaller = {
      key: callerKey,
      profileId: request.caller.profile_id,
      profileType: request.caller.profile_type,
      name: request.caller.name ?? null,
      avatar: null,
      userId: request.caller.user_id === undefined ? null : String(request.caller.user_id),
      connectionId: UNBOUND,
    };
    const call: CallRecord = {
      ...newCall(this.deps.newCallId(), caller, request.callee, request, clock.now(), settings),
      origin: 'platform',
    };
    // The platform vouches for the call itself: a callee who takes calls from its conversations
    // only rings when the platform names the conversation; blocks and "nobody" refuse as ever.
    const policy = { vouched: request.conversation_id !== undefined };
    const rung = await invitations.ring(call, (ringing) => callInviteMessage(ringing, clock.now()), policy);
    const { end_reason: reason } = rung.call;
    const response: CallInviteResponse =
      rung.reached > 0
        ? { call_id: call.call_id, status: 'initiated' }
        : { call_id: call.call_id, status: 'declined', ...(reason === 'offline' || reason === 'busy' ? { end_reason: reason } : {}) };
    return { response, decisions: rung.decisions };
  }

  async accept(sender: Sender, message: ClientMessageOf<'call_invite_accept'>): Promise<RoutingDecision[]> {
    const { applier, settings, clock } = this.deps;
    const call = await this.deps.calls.require(sender, message.call_id);
    if (call.status === 'initiated' && call.accepted_by === sender.connectionId) return [callDecision(call, 'ignored', 'already_accepted')];
    const result = await applier.attempt(acceptInvite(call, sender, clock.now(), settings));
    if ('overtaken' in result) {
      const current = result.current ?? (await this.deps.store.getCall(call.call_id)) ?? call;
      // Throws the refusal that fits the call as it now is; a call that still looks acceptable has rung out.
      acceptInvite(current, sender, clock.now(), settings);
      throw notRinging(current);
    }
    if (result.reached > 0) return result.decisions;
    // Nobody is left to send the offer: the call is cancelled as if the caller had gone.
    return [...result.decisions, ...(await applier.decide(cancel(result.call, clock.now())))];
  }

  /**
   * The call a `call_invitation`'s `call_id` names when it is a call the platform started with the
   * sender's profile as its caller; undefined otherwise, and then the `call_id` means nothing (the
   * invitation is a new call, as one that carries a stray `call_id` always was).
   */
  async startedFor(sender: Sender, callId: string): Promise<CallRecord | undefined> {
    const call = await this.deps.store.getCall(callId);
    return call?.origin === 'platform' && call.caller_key === sender.key ? call : undefined;
  }

  /** The caller's offer into `call` (as `startedFor` found it). */
  async offer(sender: Sender, message: Offer, call: CallRecord): Promise<RoutingDecision[]> {
    const settledElsewhere = await this.settledElsewhere(call, sender, message);
    if (settledElsewhere) return settledElsewhere;
    const { applier, clock } = this.deps;
    const result = await applier.attempt(offerInvited(call, sender, message.offer, clock.now()));
    if ('overtaken' in result) {
      const current = result.current ?? (await this.deps.store.getCall(call.call_id)) ?? call;
      const elsewhere = await this.settledElsewhere(current, sender, message);
      if (elsewhere) return elsewhere;
      throw notRinging(current);
    }
    if (result.reached === 0) {
      // The accepting socket is gone: the callee is offline after all.
      await applier.apply(declineForCallee(result.call, 'offline', clock.now(), false));
      return [callDecision(result.call, 'declined', 'offline')];
    }
    await this.deps.messenger.send([sender.connectionId], ringingMessage(result.call, result.reached, clock.now()));
    return result.decisions;
  }

  /**
   * Throws why this offer cannot bind the call. Returns the routing line when there is nothing to
   * bind: this socket offered already, or another socket of the caller did (this one then hears
   * `call_ended` `answered_elsewhere`). Undefined when the offer may bind the call.
   */
  private async settledElsewhere(call: CallRecord, sender: Sender, message: Offer): Promise<RoutingDecision[] | undefined> {
    if (profileKey(message.to_profile_type, message.to_profile_id) !== call.callee_key || message.call_type !== call.call_type) {
      throw new ProtocolError('invalid_message', "to_profile_id, to_profile_type and call_type must be the call's own", call.call_id);
    }
    if (callerBound(call)) {
      if (call.caller_connection_id === sender.connectionId && !isFinal(call.status))
        return [callDecision(call, 'ignored', 'already_offered')];
      const now = this.deps.clock.now();
      await this.deps.messenger.send([sender.connectionId], endedMessage(call, 'answered_elsewhere', 'caller', now));
      return [callDecision(call, 'ignored', 'answered_elsewhere')];
    }
    if (call.status !== 'initiated') throw notRinging(call);
    if (call.accepted_by === undefined)
      throw new ProtocolError('call_not_ringing', 'The callee has not accepted the call yet', call.call_id);
    return undefined;
  }
}

/** Seed 000's `call_invite`, fields unchanged, with the protocol's envelope, call type and ring expiry. */
export function callInviteMessage(ringing: CallRecord, now: Date): ServerMessage {
  const sentAt = now.toISOString();
  return {
    type: 'call_invite',
    from_user_id: ringing.caller_user_id ?? ringing.caller_profile_id,
    caller_name: ringing.caller_name ?? UNNAMED_CALLER,
    timestamp: sentAt,
    ...envelope(ringing, stampOfParty(ringing, 'caller'), now),
    call_type: ringing.call_type,
    expires_at: ringing.expires_at,
  };
}
