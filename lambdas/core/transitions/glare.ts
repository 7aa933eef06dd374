/**
 * Glare: two profiles that invite each other at once end up in one call. Each invitation claims
 * both profiles' lines; a line held by another call is judged here. The invitation with the smaller
 * `call_id` stands; the other is declined `busy` to its caller and never rings (or stops ringing).
 */
import type { ProfileKey } from '../../../shared/profile';
import type { CallRecord, LineRecord } from '../model';
import { isFinal } from '../rules';
import { declineForCallee } from './decline';
import type { Transition } from './transition';

/** A claimed line whose call never got written is abandoned after this long (its handler died). */
export const ORPHANED_LINE_MS = 10_000;
/** A ringing call this far past its expiry is treated as over even if the sweeper has not run yet. */
export const EXPIRED_RING_MARGIN_MS = 2_000;

/**
 * What to do about a line held by another call when our call (our caller, our callee) wants it:
 * - `stale`: the holder is over or abandoned; take the line over;
 * - `stand`: glare, and ours has the smaller call id: take the line and decline theirs `busy`;
 * - `wait`: glare where we stand, but their call is still being written; look again shortly;
 * - `yield`: glare where theirs stands: ours is declined `busy` and never rings;
 * - `busy`: the profile is in another call.
 */
export type LineVerdict = 'stale' | 'stand' | 'wait' | 'yield' | 'busy';

export function judgeLineHolder(
  ours: { callId: string; callerKey: ProfileKey; calleeKey: ProfileKey },
  holder: LineRecord,
  holderCall: Pick<CallRecord, 'status' | 'expires_at'> | undefined,
  now: Date,
): LineVerdict {
  if (holderCall) {
    if (isFinal(holderCall.status)) return 'stale';
    if (holderCall.status === 'initiated' && Date.parse(holderCall.expires_at) + EXPIRED_RING_MARGIN_MS < now.getTime()) {
      return 'stale';
    }
  } else if (now.getTime() - Date.parse(holder.claimedAt) > ORPHANED_LINE_MS) {
    return 'stale';
  }
  const glare =
    holder.callerKey === ours.calleeKey &&
    holder.calleeKey === ours.callerKey &&
    (holderCall === undefined || holderCall.status === 'initiated');
  if (!glare) return 'busy';
  if (ours.callId < holder.callId) return holderCall ? 'stand' : 'wait';
  return 'yield';
}

/** The loser of glare, once its line is taken: declined `busy`; the devices it rang stop ringing. */
export const glareLost = (loser: CallRecord, now: Date): Transition => declineForCallee(loser, 'busy', now, true);
