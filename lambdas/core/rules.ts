/** Pure call rules: no I/O, so they are unit-tested directly. */
import { FINAL_CALL_STATUSES, type CallStatus } from '../../shared/protocol';
import type { ProfileKey } from '../../shared/profile';
import type { CallRecord, Dropped, IdKind, LineRecord, Party } from './model';

/** A claimed line whose call never got written is abandoned after this long (its handler died). */
export const ORPHANED_LINE_MS = 10_000;
/** A ringing call this far past its expiry is treated as over even if the sweeper has not run yet. */
export const EXPIRED_RING_MARGIN_MS = 2_000;

export const isFinal = (status: CallStatus): boolean => FINAL_CALL_STATUSES.includes(status);

export function partyOf(call: Pick<CallRecord, 'caller_key' | 'callee_key'>, key: ProfileKey): Party | undefined {
  if (key === call.caller_key) return 'caller';
  if (key === call.callee_key) return 'callee';
  return undefined;
}

export const otherParty = (party: Party): Party => (party === 'caller' ? 'callee' : 'caller');

/** Who is waiting to resume once `party` drops too; undefined when that drop is already known. */
export function afterDrop(dropped: Dropped | undefined, party: Party): Dropped | undefined {
  if (dropped === party || dropped === 'both') return undefined;
  return dropped ? 'both' : party;
}

/** Who is waiting to resume once all of `parties` dropped; undefined when none of those drops is news. */
export function afterDrops(dropped: Dropped | undefined, parties: readonly Party[]): Dropped | undefined {
  let result = dropped;
  let news = false;
  for (const party of parties) {
    const next = afterDrop(result, party);
    if (next === undefined) continue;
    result = next;
    news = true;
  }
  return news ? result : undefined;
}

/** Who is still waiting to resume once `party` is back. */
export function afterResume(dropped: Dropped | undefined, party: Party): Dropped | undefined {
  if (dropped === 'both') return otherParty(party);
  return dropped === party ? undefined : dropped;
}

/** The sockets a party is reached on: the caller's one socket, or the callee's rung (later: answering) sockets. */
export function socketsOfParty(call: Pick<CallRecord, 'caller_connection_id' | 'callee_connection_ids'>, party: Party): string[] {
  return party === 'caller' ? [call.caller_connection_id] : call.callee_connection_ids;
}

/** Whole seconds between answer and end, never negative. */
export function durationSeconds(answeredAt: string, endedAt: string): number {
  return Math.max(0, Math.floor((Date.parse(endedAt) - Date.parse(answeredAt)) / 1000));
}

export const idKindOf = (id: string | number): IdKind => (typeof id === 'number' ? 'number' : 'string');
export const restoreId = (id: string, kind: IdKind): string | number => (kind === 'number' ? Number(id) : id);

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
