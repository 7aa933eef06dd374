/**
 * What `call_ended` does to the call as it stands: ends an answered call (hang up), declines a
 * ringing one from the callee, cancels a ringing one from the caller; a call already over is left
 * alone (ending is idempotent).
 */
import type { CallRecord, Sender } from '../model';
import { isFinal, participantOf } from '../rules';
import { cancel } from './cancel';
import { decline } from './decline';
import { hangUp } from './hang-up';
import { settled, type Step } from './transition';

export function end(call: CallRecord, by: Sender, now: Date): Step {
  const party = participantOf(call, by);
  if (isFinal(call.status)) return settled(call, { sends: [], line: { outcome: 'ignored', reason: 'already_final' } });
  if (call.status === 'answered') return hangUp(call, by, now);
  // The callee hanging up a ringing call is declining it.
  return party === 'callee' ? decline(call, by, 'rejected', now) : cancel(call, now);
}
