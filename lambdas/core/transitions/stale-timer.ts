/** A timer left on a call that no longer needs one (the sweeper found it due on a call in no timed state): it goes. */
import type { CallRecord } from '../model';
import type { Transition } from './transition';

export function staleTimer(call: CallRecord): Transition {
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: call.status, deadlineAt: call.deadline_at },
    changes: { deadline_at: null },
    image: 'after',
    announce: () => ({ sends: [] }),
  };
}
