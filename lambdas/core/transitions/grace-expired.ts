/**
 * Grace expired: a party that dropped did not resume in time, so the call ends `disconnected` (with
 * its duration) and the party still there is told. When both dropped, nobody is left to tell.
 */
import { endedMessage } from '../envelope';
import type { CallRecord } from '../model';
import { otherParty, socketsOfParty } from '../rules';
import { endedChanges, type Transition } from './transition';

export function graceExpired(call: CallRecord, now: Date): Transition {
  const lost = call.disconnected_party;
  if (!lost) throw new Error(`Call ${call.call_id} has no party waiting to resume`);
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: call.status, deadlineAt: call.deadline_at },
    changes: endedChanges(call, 'disconnected', now),
    image: 'after',
    announce: (ended) => ({
      sends:
        lost === 'both'
          ? []
          : [{ to: socketsOfParty(ended, otherParty(lost)), message: endedMessage(ended, 'disconnected', lost, now), counted: true }],
      line: { outcome: 'ended', reason: 'disconnected' },
    }),
  };
}
