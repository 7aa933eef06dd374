/**
 * Invitation: the caller's and the callee's lines are claimed, every socket of the callee rings,
 * and the caller hears `call_ringing`; or the call is declined at once (`offline`: no socket;
 * `busy`: the callee is in a call, or the call lost glare) and logged as such. A call the platform
 * starts (`invited-calls.ts`) rings the same way, through `ring`.
 *
 * The checks come in this order, each before anything the next one could reveal: the deployment's
 * policy (`call-policy.ts`, by the handler: `forbidden`); then the caller's rings to this callee
 * (`repeated-rings.ts`: `rate_limited`), counted alike whatever follows; then the callee's own
 * settings (`who-may-call.ts`), which refuse exactly as an offline profile declines, before the
 * callee's line is claimed, so a refused caller never learns `busy` or a device count.
 */
import type { ClientMessageOf, ServerMessage } from '../../shared/protocol';
import { profileKey, type ProfileId, type ProfileKey, type ProfileRef } from '../../shared/profile';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Applier } from './apply';
import type { PolicyPassed } from './call-policy';
import { declinedMessage, envelope, ringingMessage, stampOfSender } from './envelope';
import { ProtocolError } from './errors';
import type { LineClaims } from './lines';
import type { Messenger } from './messenger';
import type { CallRecord, CallSettings, CallStore, Clock, LineRecord, Sender } from './model';
import { DEFAULT_PROFILE_SETTINGS, type ProfileSettingsStore } from './profile-settings';
import type { RepeatedRings } from './repeated-rings';
import { callDecision } from './routing';
import { idKindOf } from './rules';
import { declineForCallee } from './transitions/decline';
import { toCaller } from './transitions/transition';
import { calleeRefusal, refusalReason, type CalleeRule } from './who-may-call';

type Invitation = ClientMessageOf<'call_invitation'>;

export interface InvitationDeps {
  store: CallStore;
  messenger: Messenger;
  applier: Applier;
  lines: LineClaims;
  profileSettings: Pick<ProfileSettingsStore, 'settingsOf'>;
  settings: CallSettings;
  clock: Clock;
  newCallId: () => string;
  rings: RepeatedRings;
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

  /** `policy`: the deployment's policy let the invitation through (`requireMayCall`). */
  async invite(sender: Sender, message: Invitation, policy: PolicyPassed): Promise<RoutingDecision[]> {
    const { messenger, settings, clock } = this.deps;
    const callee = { profile_id: message.to_profile_id, profile_type: message.to_profile_type };
    const calleeKey = this.calleeOf(sender.key, callee);
    // Refusals that need nothing of the callee come here, before it is looked at.
    await this.countRing(sender.key, calleeKey);
    const call = newCall(this.deps.newCallId(), callerOfSender(sender), callee, message, clock.now(), settings);
    const rung = await this.ring(call, (ringing) => invitationMessage(ringing, sender, message, clock.now()), policy);
    if (rung.reached === 0) return rung.decisions;
    await messenger.send([sender.connectionId], ringingMessage(rung.call, rung.reached, clock.now()));
    return rung.decisions;
  }

  /** The callee's key; a profile calling itself, or a profile type the deployment does not know, is refused. */
  calleeOf(callerKey: ProfileKey, callee: ProfileRef): ProfileKey {
    const calleeKey = profileKey(callee.profile_type, callee.profile_id);
    if (calleeKey === callerKey) throw new ProtocolError('cannot_call_self', 'A profile cannot call itself');
    if (!this.deps.settings.profileTypes.includes(callee.profile_type)) {
      throw new ProtocolError('invalid_message', `Unknown profile type "${callee.profile_type}"`);
    }
    return calleeKey;
  }

  /**
   * Repeated rings to one callee are limited. Counted for every invitation the call policy let
   * through, before anything of the callee is looked up, so rang, offline and refused count alike
   * and the refusal tells the caller nothing about the callee.
   */
  async countRing(callerKey: ProfileKey, calleeKey: ProfileKey): Promise<void> {
    if (!(await this.deps.rings.take(callerKey, calleeKey))) {
      throw new ProtocolError('rate_limited', 'You have called this profile too often without an answer; try again later');
    }
  }

  /**
   * The callee's settings, then its lines and sockets: rings every socket of the callee with
   * `ringMessage`, or declines the call at once (`offline`, `busy`) and logs it. A caller already
   * in a call is refused (`already_in_call`) and nothing is logged.
   */
  async ring(call: CallRecord, ringMessage: (ringing: CallRecord) => ServerMessage, policy: PolicyPassed): Promise<Rung> {
    const { store, messenger, lines } = this.deps;
    const callerLine: LineRecord = {
      profileKey: call.caller_key,
      callId: call.call_id,
      callerKey: call.caller_key,
      calleeKey: call.callee_key,
      claimedAt: call.created_at,
    };

    // Independent of each other, so one round trip instead of three.
    const [callerClaim, sockets, calleeSettings] = await Promise.all([
      lines.claim(callerLine),
      store.socketsOf(call.callee_key),
      this.deps.profileSettings.settingsOf(call.callee_key),
    ]);
    // About the caller itself: an unknown callee gets the same.
    if (callerClaim === 'busy') throw new ProtocolError('already_in_call', 'You are already in a call; end it before placing another');
    const refusal = calleeRefusal(calleeSettings ?? DEFAULT_PROFILE_SETTINGS, call.caller_key, policy.vouched);
    if (refusal) {
      if (callerClaim === 'claimed') await lines.release(callerLine);
      return this.refusedByCallee(call, refusal);
    }
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
  private declineAtOnce(call: CallRecord, reason: 'offline' | 'busy'): Promise<Rung> {
    return this.logDeclined(call, reason, reason);
  }

  /**
   * The callee's settings refused the caller: to the caller, and in its history, exactly an offline
   * callee's call; kept out of the callee's history; the routing line names the rule.
   */
  private refusedByCallee(call: CallRecord, rule: CalleeRule): Promise<Rung> {
    return this.logDeclined({ ...call, hidden_from_callee: true }, 'offline', refusalReason(rule));
  }

  private async logDeclined(call: CallRecord, reason: 'offline' | 'busy', routingReason: string): Promise<Rung> {
    const now = this.deps.clock.now();
    const { deadline_at: _timer, ...withoutTimer } = call;
    const declined: CallRecord = { ...withoutTimer, status: 'declined', end_reason: reason, ended_at: now.toISOString() };
    await this.deps.store.createCall(declined);
    await this.deps.applier.deliver([{ ...toCaller(declined), message: declinedMessage(declined, reason, now) }]);
    return { call: declined, decisions: [callDecision(declined, 'declined', routingReason)], reached: 0 };
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
