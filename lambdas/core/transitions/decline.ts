/**
 * Decline: a ringing call is declined from any callee socket; the caller gets `call_declined`, the
 * callee's other devices `call_ended` `declined_elsewhere` (a platform-started call that was
 * accepted: only the accepting socket may still decline it). The server declines too, for a callee
 * the invitation reached nowhere (`offline`) and for a call that lost glare (`busy`).
 */
import { notRinging, ProtocolError } from '../errors';
import { declinedMessage, endedMessage, stampOfSender } from '../envelope';
import type { CallRecord, Sender } from '../model';
import { participantOf } from '../rules';
import { finalChanges, toCaller, type Transition } from './transition';

export function decline(call: CallRecord, decliner: Sender, reason: 'rejected' | 'busy', now: Date): Transition {
  if (participantOf(call, decliner) === 'caller') {
    throw new ProtocolError('forbidden', 'Only the callee can decline; the caller ends the call instead', call.call_id);
  }
  if (call.status !== 'initiated') throw notRinging(call);
  // A platform-started call someone accepted is declined only from the socket that accepted it.
  if (call.accepted_by !== undefined && call.accepted_by !== decliner.connectionId) throw notRinging(call);
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'initiated', acceptedBy: call.accepted_by ?? null },
    changes: finalChanges({
      status: 'declined',
      end_reason: reason,
      ended_at: now.toISOString(),
      callee_name: decliner.identity.name,
      callee_avatar: decliner.identity.avatar,
      // The caller hears the decliner's name with the decline; its history (on any device) keeps it.
      callee_participant_name: decliner.identity.name,
    }),
    image: 'after',
    announce: (declined) => ({
      sends: [
        { ...toCaller(declined), message: declinedMessage(declined, reason, now, stampOfSender(decliner)), counted: true },
        {
          to: call.callee_connection_ids.filter((id) => id !== decliner.connectionId),
          message: endedMessage(declined, 'declined_elsewhere', 'callee', now),
        },
      ],
      line: { outcome: 'declined', reason },
    }),
  };
}

/**
 * The server declines a ringing call on the callee's behalf. `stopRinging`: the devices it rang get
 * `call_ended` `cancelled` (a glare loser may have rung some; an offline callee's are all gone).
 * Its routing line is the invitation's, written by whoever declines.
 */
export function declineForCallee(call: CallRecord, reason: 'offline' | 'busy', now: Date, stopRinging: boolean): Transition {
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'initiated' },
    changes: finalChanges({ status: 'declined', end_reason: reason, ended_at: now.toISOString() }),
    image: 'after',
    announce: (declined) => ({
      sends: [
        { ...toCaller(declined), message: declinedMessage(declined, reason, now) },
        ...(stopRinging ? [{ to: declined.callee_connection_ids, message: endedMessage(declined, 'cancelled', 'caller', now) }] : []),
      ],
    }),
  };
}
