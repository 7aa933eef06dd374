/**
 * Invitation: the caller's and the callee's lines are claimed, every socket of the callee rings,
 * and the caller hears `call_ringing`; or the call is declined at once (`offline`: no socket;
 * `busy`: the callee is in a call, or the call lost glare) and logged as such.
 *
 * The checks come in this order, each before anything the next one could reveal: the deployment's
 * policy (`call-policy.ts`, by the handler: `forbidden`); then the caller's rings to this callee
 * (`repeated-rings.ts`: `rate_limited`), counted alike whatever follows; then the callee's own
 * settings (`who-may-call.ts`), which refuse exactly as an offline profile declines, before the
 * callee's line is claimed, so a refused caller never learns `busy` or a device count.
 */
import type { ClientMessageOf, ServerMessage } from '../../shared/protocol';
import { profileKey, type ProfileKey } from '../../shared/profile';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Applier } from './apply';
import type { PolicyPassed } from './call-policy';
import { declinedMessage, envelope, stampOfSender } from './envelope';
import { ProtocolError } from './errors';
import type { LineClaims } from './lines';
import type { Messenger } from './messenger';
import type { CallRecord, CallSettings, CallStore, Clock, LineRecord, Sender } from './model';
import { DEFAULT_PROFILE_SETTINGS, type ProfileSettingsStore } from './profile-settings';
import type { RepeatedRings } from './repeated-rings';
import { callDecision } from './routing';
import { idKindOf } from './rules';
import { declineForCallee } from './transitions/decline';
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

export class Invitations {
  constructor(private readonly deps: InvitationDeps) {}

  /** `policy`: the deployment's policy let the invitation through (`requireMayCall`). */
  async invite(sender: Sender, message: Invitation, policy: PolicyPassed): Promise<RoutingDecision[]> {
    const calleeKey = this.calleeOf(sender, message);
    // Refusals that need nothing of the callee come here, before it is looked at.
    await this.countRing(sender, calleeKey);
    return this.ringUnlessRefused(sender, message, calleeKey, policy);
  }

  private calleeOf(sender: Sender, message: Invitation): ProfileKey {
    const calleeKey = profileKey(message.to_profile_type, message.to_profile_id);
    if (calleeKey === sender.key) throw new ProtocolError('cannot_call_self', 'A profile cannot call itself');
    if (!this.deps.settings.profileTypes.includes(message.to_profile_type)) {
      throw new ProtocolError('invalid_message', `Unknown profile type "${message.to_profile_type}"`);
    }
    return calleeKey;
  }

  /** The callee's settings, then its lines and sockets: rings, or declines at once. */
  private async ringUnlessRefused(
    sender: Sender,
    message: Invitation,
    calleeKey: ProfileKey,
    policy: PolicyPassed,
  ): Promise<RoutingDecision[]> {
    const { store, messenger, lines, settings, clock } = this.deps;
    const now = clock.now();
    const call = newCall(this.deps.newCallId(), sender, message, calleeKey, now, settings);
    const callerLine: LineRecord = {
      profileKey: sender.key,
      callId: call.call_id,
      callerKey: sender.key,
      calleeKey,
      claimedAt: now.toISOString(),
    };

    // Independent of each other, so one round trip instead of three.
    const [callerClaim, sockets, calleeSettings] = await Promise.all([
      lines.claim(callerLine),
      store.socketsOf(calleeKey),
      this.deps.profileSettings.settingsOf(calleeKey),
    ]);
    // About the caller itself: an unknown callee gets the same.
    if (callerClaim === 'busy') throw new ProtocolError('already_in_call', 'You are already in a call; end it before placing another');
    const refusal = calleeRefusal(calleeSettings ?? DEFAULT_PROFILE_SETTINGS, sender.key, policy.vouched);
    if (refusal) {
      if (callerClaim === 'claimed') await lines.release(callerLine);
      return this.refusedByCallee(call, refusal);
    }
    if (callerClaim === 'yield') return this.declineAtOnce(call, 'busy');
    if (sockets.length === 0) {
      await lines.release(callerLine);
      return this.declineAtOnce(call, 'offline');
    }
    if ((await lines.claim({ ...callerLine, profileKey: calleeKey })) !== 'claimed') {
      await lines.release(callerLine);
      return this.declineAtOnce(call, 'busy');
    }

    const ringing: CallRecord = { ...call, callee_connection_ids: sockets.map((socket) => socket.connectionId) };
    await store.createCall(ringing);
    const delivery = await messenger.send(ringing.callee_connection_ids, invitationMessage(ringing, sender, message, clock.now()));

    if (delivery.reached.length === 0) {
      await this.deps.applier.apply(declineForCallee(ringing, 'offline', now, false));
      return [callDecision(ringing, 'declined', 'offline', delivery)];
    }
    if (delivery.gone.length > 0) {
      // Only the sockets it reached are ringing (and stop ringing, or hear the end, later).
      await store.updateCall(ringing.call_id, { status: 'initiated' }, { callee_connection_ids: delivery.reached });
    }
    const ringingMessage: ServerMessage = {
      type: 'call_ringing',
      call_id: ringing.call_id,
      conversation_id: ringing.conversation_id,
      to_profile_id: message.to_profile_id,
      to_profile_type: message.to_profile_type,
      devices: delivery.reached.length,
      expires_at: ringing.expires_at,
      sent_at: clock.now().toISOString(),
    };
    await messenger.send([sender.connectionId], ringingMessage);
    return [callDecision(ringing, 'ringing', null, delivery)];
  }

  /**
   * Repeated rings to one callee are limited. Counted for every invitation the call policy let
   * through, before anything of the callee is looked up, so rang, offline and refused count alike
   * and the refusal tells the caller nothing about the callee.
   */
  private async countRing(sender: Sender, calleeKey: ProfileKey): Promise<void> {
    if (!(await this.deps.rings.take(sender.key, calleeKey))) {
      throw new ProtocolError('rate_limited', 'You have called this profile too often without an answer; try again later');
    }
  }

  /** Logs a call that never rang (offline, busy, lost glare) and tells the caller at once. */
  private declineAtOnce(call: CallRecord, reason: 'offline' | 'busy'): Promise<RoutingDecision[]> {
    return this.logDeclined(call, reason, reason);
  }

  /**
   * The callee's settings refused the caller: to the caller, and in its history, exactly an offline
   * callee's call; kept out of the callee's history; the routing line names the rule.
   */
  private refusedByCallee(call: CallRecord, rule: CalleeRule): Promise<RoutingDecision[]> {
    return this.logDeclined({ ...call, hidden_from_callee: true }, 'offline', refusalReason(rule));
  }

  private async logDeclined(call: CallRecord, reason: 'offline' | 'busy', routingReason: string): Promise<RoutingDecision[]> {
    const now = this.deps.clock.now();
    const { deadline_at: _timer, ...withoutTimer } = call;
    const declined: CallRecord = { ...withoutTimer, status: 'declined', end_reason: reason, ended_at: now.toISOString() };
    await this.deps.store.createCall(declined);
    await this.deps.messenger.send([call.caller_connection_id], declinedMessage(declined, reason, now));
    return [callDecision(declined, 'declined', routingReason)];
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

/** A new call from `sender`'s invitation, ringing until the ring timeout. */
export function newCall(
  callId: string,
  sender: Sender,
  message: Invitation,
  calleeKey: ProfileKey,
  now: Date,
  settings: Pick<CallSettings, 'ringTimeoutSeconds'>,
): CallRecord {
  const startedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + settings.ringTimeoutSeconds * 1000).toISOString();
  const { identity } = sender;
  return {
    call_id: callId,
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
