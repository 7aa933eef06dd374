/**
 * Ring expired: unanswered by `expires_at`, the call is `missed` (`timeout`); the caller gets
 * `call_declined` `timeout`, the callee's sockets `call_ended` `timeout`. Guarded on the timer the
 * sweeper found due, so a call that moved on meanwhile is left as it is.
 */
import { declinedMessage, endedMessage } from '../envelope';
import type { CallRecord } from '../model';
import { finalChanges, toCaller, type Transition } from './transition';

export function ringExpired(call: CallRecord, now: Date): Transition {
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: call.status, deadlineAt: call.deadline_at },
    changes: finalChanges({ status: 'missed', end_reason: 'timeout', ended_at: now.toISOString() }),
    image: 'after',
    announce: (missed) => ({
      sends: [
        { ...toCaller(missed), message: declinedMessage(missed, 'timeout', now), counted: true },
        { to: missed.callee_connection_ids, message: endedMessage(missed, 'timeout', 'caller', now), counted: true },
      ],
      line: { outcome: 'missed', reason: 'timeout' },
    }),
  };
}
