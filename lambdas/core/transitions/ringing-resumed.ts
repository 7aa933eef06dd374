/**
 * A callee device the call rang on came back on a new socket (`call_resume` with `ringing`): what
 * the server said about the call while that device was away went to its old socket, so it hears it
 * now. A call still ringing binds the new socket to the ringing (a cancel, timeout or answer
 * elsewhere then reaches it), unless its caller's socket is gone: a caller that left without its
 * `$disconnect` (a crashed gateway never sends one) cancels the call, as that `$disconnect` would
 * have. A call that is over is told as the device would have heard it. It never takes an answered
 * call over: the device only rang.
 */
import type { EndReason } from '../../../shared/protocol';
import { endedMessage, envelope, stampOfSender } from '../envelope';
import type { CallRecord, Party, Sender } from '../model';
import { cancel } from './cancel';
import { settled, type Step } from './transition';

/** The `call_ended` a ringing callee device hears for a call that is over, and whom it is from. */
function missedEnd(call: CallRecord): { reason: EndReason; from: Party } {
  switch (call.status) {
    case 'missed':
      return { reason: call.end_reason === 'timeout' ? 'timeout' : 'cancelled', from: 'caller' };
    case 'declined':
      // Declined by another device of the callee, or by the server (glare lost, and so on): then it stopped ringing.
      return call.end_reason === 'rejected' ? { reason: 'declined_elsewhere', from: 'callee' } : { reason: 'cancelled', from: 'caller' };
    default:
      return { reason: 'answered_elsewhere', from: 'callee' };
  }
}

/**
 * `callerGone`: the management API found the caller's socket closed (asked before planning). A
 * platform-started call accepted by another device of the callee is answered elsewhere, in effect.
 */
export function resumeRinging(call: CallRecord, resumer: Sender, now: Date, callerGone: boolean): Step {
  const acceptedElsewhere = call.accepted_by !== undefined && call.accepted_by !== resumer.connectionId;
  if (call.status !== 'initiated' || acceptedElsewhere) {
    const { reason, from } = missedEnd(call);
    return settled(call, {
      sends: [{ to: [resumer.connectionId], message: endedMessage(call, reason, from, now), counted: true }],
      line: { outcome: 'ignored', reason: 'already_final' },
    });
  }
  if (callerGone) {
    const cancelled = cancel(call, now, call.caller_connection_id);
    return {
      ...cancelled,
      announce(missed) {
        const announced = cancelled.announce(missed);
        const told = missed.callee_connection_ids.includes(resumer.connectionId);
        return told
          ? announced
          : {
              ...announced,
              sends: [...announced.sends, { to: [resumer.connectionId], message: endedMessage(missed, 'cancelled', 'caller', now) }],
            };
      },
    };
  }
  const resumed = { type: 'call_resumed', ...envelope(call, stampOfSender(resumer), now) } as const;
  if (call.callee_connection_ids.includes(resumer.connectionId)) {
    return settled(call, {
      sends: [{ to: [resumer.connectionId], message: resumed, counted: true }],
      line: { outcome: 'resumed', reason: null },
    });
  }
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'initiated', calleeSocketAbsent: resumer.connectionId, acceptedBy: call.accepted_by ?? null },
    changes: { callee_connection_added: resumer.connectionId },
    image: 'after',
    announce: () => ({
      sends: [{ to: [resumer.connectionId], message: resumed, counted: true }],
      line: { outcome: 'resumed', reason: null },
    }),
  };
}
