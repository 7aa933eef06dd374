/** Hang up: either party ends an answered call; the other gets `call_ended` `hangup`. */
import { envelope, stampOfSender } from '../envelope';
import type { CallRecord, Sender } from '../model';
import { otherParty, participantOf, socketsOfParty } from '../rules';
import { endedChanges, type Transition } from './transition';

export function hangUp(call: CallRecord, by: Sender, now: Date): Transition {
  const peer = otherParty(participantOf(call, by));
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'answered' },
    changes: endedChanges(call, 'hangup', now),
    image: 'after',
    announce: (ended) => ({
      sends: [
        {
          to: socketsOfParty(ended, peer),
          message: { type: 'call_ended', ...envelope(ended, stampOfSender(by), now), reason: 'hangup' },
          counted: true,
        },
      ],
      line: { outcome: 'ended', reason: 'hangup' },
    }),
  };
}
