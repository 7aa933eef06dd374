/**
 * The envelope of what the server sends about a call: the call, its conversation, who it is from
 * (stamped by the server, never taken from a client) and when it was sent; and the messages the
 * server itself writes most, `call_ringing`, `call_declined` and `call_ended`.
 */
import type { DeclineReason, EndReason, Envelope, ServerMessageOf } from '../../shared/protocol';
import type { CallRecord, Party, Sender } from './model';
import { restoreId } from './rules';

/** Who a message is stamped as coming from. */
export interface Stamp {
  profileId: string | number;
  profileType: string;
  name: string | null;
  avatar: string | null;
}

export function stampOfSender(sender: Sender): Stamp {
  const { identity } = sender;
  return { profileId: identity.profileId, profileType: identity.profileType, name: identity.name, avatar: identity.avatar };
}

/** A party as the call knows it; its id comes back as the number or string its token held. */
export function stampOfParty(call: CallRecord, party: Party): Stamp {
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

export function envelope(call: Pick<CallRecord, 'call_id' | 'conversation_id'>, from: Stamp, now: Date): Envelope {
  return {
    call_id: call.call_id,
    conversation_id: call.conversation_id,
    from_profile_id: from.profileId,
    from_profile_type: from.profileType,
    from_name: from.name,
    from_avatar: from.avatar,
    sent_at: now.toISOString(),
  };
}

/** `call_declined` to the caller, from the callee (or from `from`: the decliner's own identity). */
export function declinedMessage(
  call: CallRecord,
  reason: DeclineReason,
  now: Date,
  from: Stamp = stampOfParty(call, 'callee'),
): ServerMessageOf<'call_declined'> {
  return { type: 'call_declined', ...envelope(call, from, now), reason };
}

/** `call_ended`, from the party the end is about. */
export function endedMessage(call: CallRecord, reason: EndReason, from: Party, now: Date): ServerMessageOf<'call_ended'> {
  return { type: 'call_ended', ...envelope(call, stampOfParty(call, from), now), reason };
}

/** `call_ringing` to the caller: its invitation reached `devices` of the callee's sockets. */
export function ringingMessage(call: CallRecord, devices: number, now: Date): ServerMessageOf<'call_ringing'> {
  return {
    type: 'call_ringing',
    call_id: call.call_id,
    conversation_id: call.conversation_id,
    to_profile_id: restoreId(call.callee_profile_id, call.callee_id_kind),
    to_profile_type: call.callee_profile_type,
    devices,
    expires_at: call.expires_at,
    sent_at: now.toISOString(),
  };
}
