/**
 * Invitation: the caller's and the callee's lines are claimed, every socket of the callee rings,
 * and the caller hears `call_ringing`; or the call is declined at once (`offline`: no socket;
 * `busy`: the callee is in a call, or the call lost glare) and logged as such. A call the platform
 * starts (`platform-calls.ts`) rings the same way.
 */
import type { ClientMessageOf, ServerMessage } from '../../shared/protocol';
import { profileKey, type ProfileId, type ProfileKey, type ProfileRef } from '../../shared/profile';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Applier } from './apply';
import { declinedMessage, envelope, stampOfSender } from './envelope';
import { ProtocolError } from './errors';
import type { LineClaims } from './lines';
import type { Messenger } from './messenger';
import type { CallRecord, CallSettings, CallStore, Clock, LineRecord, Sender } from './model';
import { callDecision } from './routing';
import { idKindOf } from './rules';
import { declineForCallee } from './transitions/decline';
import { toCaller } from './transitions/transition';

type Invitation = ClientMessageOf<'call_invitation'>;

export interface InvitationDeps {
  store: CallStore;
  messenger: Messenger;
  applier: Applier;
  lines: LineClaims;
  settings: CallSettings;
  clock: Clock;
  newCallId: () => string;
}

export interface Rung {
  /** The call as written: ringing, or declined at once. */
  call: CallRecord;
  decisions: RoutingDecision[];
  /** Callee sockets the ring reached (none when it was declined). */
  reached: number;
}

export class Invitations {
  constructor(private readonly deps: InvitationDeps) {}

  async invite(sender: Sender, message: Invitation): Promise<RoutingDecision[]> {
    const { messenger, settings, clock } = this.deps;
    const calleeKey = profileKey(message.to_profile_type, message.to_profile_id);
    if (calleeKey === sender.key) throw new ProtocolError('cannot_call_self', 'A profile cannot call itself');
    if (!settings.profileTypes.includes(message.to_profile_type)) {
      throw new ProtocolError('invalid_message', `Unknown profile type "${message.to_profile_type}"`);
    }

    const callee = { profile_id: message.to_profile_id, profile_type: message.to_profile_type };
    const call = newCall(this.deps.newCallId(), callerOfSender(sender), callee, message, clock.now(), settings);
    const rung = await this.ring(call, (ringing) => invitationMessage(ringing, sender, message, clock.now()));
    if (rung.reached === 0) return rung.decisions;
    const ringingMessage: ServerMessage = {
      type: 'call_ringing',
      call_id: rung.call.call_id,
      conversation_id: rung.call.conversation_id,
      to_profile_id: message.to_profile_id,
      to_profile_type: message.to_profile_type,
      devices: rung.reached,
      expires_at: rung.call.expires_at,
      sent_at: clock.now().toISOString(),
    };
    await messenger.send([sender.connectionId], ringingMessage);
    return rung.decisions;
  }

  /**
   * Claims the caller's and the callee's lines and rings every socket of the callee with
   * `ringMessage`, or declines the call at once (`offline`, `busy`) and logs it. A caller already
   * in a call is refused (`already_in_call`) and nothing is logged.
   */
  async ring(call: CallRecord, ringMessage: (ringing: CallRecord) => ServerMessage): Promise<Rung> {
    const { store, messenger, lines } = this.deps;
    const callerLine: LineRecord = {
      profileKey: call.caller_key,
      callId: call.call_id,
      callerKey: call.caller_key,
      calleeKey: call.callee_key,
      claimedAt: call.created_at,
    };

    // Independent of each other, so one round trip instead of two.
    const [callerClaim, sockets] = await Promise.all([lines.claim(callerLine), store.socketsOf(call.callee_key)]);
    if (callerClaim === 'busy') throw new ProtocolError('already_in_call', 'You are already in a call; end it before placing another');
    if (callerClaim === 'yield') return this.declineAtOnce(call, 'busy');
    if (sockets.length === 0) {
      await lines.release(callerLine);
      return this.declineAtOnce(call, 'offline');
    }
    if ((await lines.claim({ ...callerLine, profileKey: call.callee_key })) !== 'claimed') {
      await lines.release(callerLine);
      return this.declineAtOnce(call, 'busy');
    }

    const ringing: CallRecord = { ...call, callee_connection_ids: sockets.map((socket) => socket.connectionId) };
    await store.createCall(ringing);
    const delivery = await messenger.send(ringing.callee_connection_ids, ringMessage(ringing));

    if (delivery.reached.length === 0) {
      const declined = await this.deps.applier.apply(declineForCallee(ringing, 'offline', this.deps.clock.now(), false));
      return { call: declined?.call ?? ringing, decisions: [callDecision(ringing, 'declined', 'offline', delivery)], reached: 0 };
    }
    if (delivery.gone.length > 0) {
      // Only the sockets it reached are ringing (and stop ringing, or hear the end, later).
      await store.updateCall(ringing.call_id, { status: 'initiated' }, { callee_connection_ids: delivery.reached });
    }
    return {
      call: { ...ringing, callee_connection_ids: delivery.reached },
      decisions: [callDecision(ringing, 'ringing', null, delivery)],
      reached: delivery.reached.length,
    };
  }

  /** Logs a call that never rang (offline, busy, lost glare) and tells the caller at once. */
  private async declineAtOnce(call: CallRecord, reason: 'offline' | 'busy'): Promise<Rung> {
    const now = this.deps.clock.now();
    const { deadline_at: _timer, ...withoutTimer } = call;
    const declined: CallRecord = { ...withoutTimer, status: 'declined', end_reason: reason, ended_at: now.toISOString() };
    await this.deps.store.createCall(declined);
    await this.deps.applier.deliver([{ ...toCaller(declined), message: declinedMessage(declined, reason, now) }]);
    return { call: declined, decisions: [callDecision(declined, 'declined', reason)], reached: 0 };
  }
}

function invitationMessage(ringing: CallRecord, sender: Sender, message: Invitation, now: Date): ServerMessage {
  return {
    type: 'call_invitation',
    ...envelope(ringing, stampOfSender(sender), now),
    call_type: ringing.call_type,
    to_profile_id: message.to_profile_id,
    to_profile_type: message.to_profile_type,
    offer: message.offer,
    expires_at: ringing.expires_at,
  };
}

/** Who places a new call: the identity it is stamped with, and its socket (`UNBOUND` for one the platform starts). */
export interface NewCaller {
  key: ProfileKey;
  profileId: ProfileId;
  profileType: string;
  name: string | null;
  avatar: string | null;
  userId: string | null;
  connectionId: string;
}

export function callerOfSender(sender: Sender): NewCaller {
  const { identity } = sender;
  return {
    key: sender.key,
    profileId: identity.profileId,
    profileType: identity.profileType,
    name: identity.name,
    avatar: identity.avatar,
    userId: identity.userId,
    connectionId: sender.connectionId,
  };
}

/** What kind of call, in which conversation. */
export interface CallDetails {
  call_type: CallRecord['call_type'];
  conversation_id?: string | number | null | undefined;
}

/** A new call from `caller` to `callee`, ringing until the ring timeout. */
export function newCall(
  callId: string,
  caller: NewCaller,
  callee: ProfileRef,
  details: CallDetails,
  now: Date,
  settings: Pick<CallSettings, 'ringTimeoutSeconds'>,
): CallRecord {
  const startedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + settings.ringTimeoutSeconds * 1000).toISOString();
  return {
    call_id: callId,
    conversation_id: details.conversation_id ?? null,
    caller_profile_id: String(caller.profileId),
    caller_profile_type: caller.profileType,
    caller_user_id: caller.userId,
    callee_profile_id: String(callee.profile_id),
    callee_profile_type: callee.profile_type,
    call_type: details.call_type,
    status: 'initiated',
    end_reason: null,
    started_at: startedAt,
    answered_at: null,
    ended_at: null,
    duration_seconds: null,
    participants: [
      { profile_id: String(caller.profileId), profile_type: caller.profileType, name: caller.name },
      { profile_id: String(callee.profile_id), profile_type: callee.profile_type, name: null },
    ],
    created_at: startedAt,
    caller_key: caller.key,
    callee_key: profileKey(callee.profile_type, callee.profile_id),
    caller_id_kind: idKindOf(caller.profileId),
    callee_id_kind: idKindOf(callee.profile_id),
    caller_name: caller.name,
    caller_avatar: caller.avatar,
    callee_name: null,
    callee_avatar: null,
    caller_connection_id: caller.connectionId,
    callee_connection_ids: [],
    expires_at: expiresAt,
    deadline_at: expiresAt,
  };
}
