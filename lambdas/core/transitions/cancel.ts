/**
 * Cancel: before the answer, the caller's end is a cancel (status `missed`, reason `cancelled`), and
 * the callee's devices stop ringing with `call_ended` `cancelled`. A caller's socket lost while
 * ringing cancels too, but only while the call is still on that socket (`lostSocket`).
 */
import { endedMessage } from '../envelope';
import type { CallRecord } from '../model';
import { finalChanges, type Transition } from './transition';

export function cancel(call: CallRecord, now: Date, lostSocket?: string): Transition {
  return {
    kind: 'write',
    callId: call.call_id,
    guard: {
      status: 'initiated',
      ...(lostSocket !== undefined ? { boundSockets: [{ party: 'caller', connectionId: lostSocket }] } : {}),
    },
    changes: finalChanges({ status: 'missed', end_reason: 'cancelled', ended_at: now.toISOString() }),
    image: 'after',
    announce: (missed) => ({
      sends: [{ to: missed.callee_connection_ids, message: endedMessage(missed, 'cancelled', 'caller', now), counted: true }],
      line: { outcome: 'missed', reason: 'cancelled' },
    }),
  };
}
