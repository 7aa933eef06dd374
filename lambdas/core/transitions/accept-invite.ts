/**
 * Accept: a callee socket accepts a call the platform started (`call_invite_accept`). The first
 * accept wins (a conditional write): the call is bound to that socket, the callee's other devices
 * stop ringing with `call_ended` `answered_elsewhere`, and every socket of the caller hears
 * `call_invite_accepted`, its cue to send the offer. Accepting restarts the ring timer, so the
 * caller's client has that long to offer and the callee's to answer.
 */
import { ProtocolError, notRinging } from '../errors';
import { endedMessage, envelope, stampOfSender } from '../envelope';
import type { CallRecord, CallSettings, Sender } from '../model';
import { participantOf } from '../rules';
import { toCaller, type Transition } from './transition';

export function acceptInvite(
  call: CallRecord,
  accepter: Sender,
  now: Date,
  settings: Pick<CallSettings, 'ringTimeoutSeconds'>,
): Transition {
  if (participantOf(call, accepter) === 'caller') throw new ProtocolError('forbidden', 'Only the callee can accept a call', call.call_id);
  if (call.origin !== 'platform') {
    throw new ProtocolError(
      'invalid_message',
      'Only a call the platform started is accepted; answer this one with call_answer',
      call.call_id,
    );
  }
  if (call.status !== 'initiated' || call.accepted_by !== undefined) throw notRinging(call);
  const { name, avatar } = accepter.identity;
  const expiresAt = new Date(now.getTime() + settings.ringTimeoutSeconds * 1000).toISOString();
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'initiated', notExpiredAt: now.toISOString(), calleeKey: accepter.key, acceptedBy: null },
    changes: {
      accepted_by: accepter.connectionId,
      callee_connection_ids: [accepter.connectionId],
      callee_name: name,
      callee_avatar: avatar,
      callee_participant_name: name,
      expires_at: expiresAt,
      deadline_at: expiresAt,
    },
    // The devices that rang are in the call as it was.
    image: 'before',
    announce(ringing) {
      const accepted: CallRecord = {
        ...ringing,
        accepted_by: accepter.connectionId,
        callee_connection_ids: [accepter.connectionId],
        callee_name: name,
        callee_avatar: avatar,
        participants: ringing.participants.map((participant, index) => (index === 1 ? { ...participant, name } : participant)),
        expires_at: expiresAt,
        deadline_at: expiresAt,
      };
      return {
        call: accepted,
        sends: [
          {
            ...toCaller(accepted),
            message: {
              type: 'call_invite_accepted',
              ...envelope(accepted, stampOfSender(accepter), now),
              call_type: accepted.call_type,
              expires_at: expiresAt,
            },
            counted: true,
          },
          {
            to: ringing.callee_connection_ids.filter((id) => id !== accepter.connectionId),
            message: endedMessage(accepted, 'answered_elsewhere', 'callee', now),
          },
        ],
        line: { outcome: 'accepted', reason: null },
      };
    },
  };
}
