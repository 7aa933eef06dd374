/** Small pure rules every part of the core leans on: who is who in a call, and what a call's fields mean. */
import { FINAL_CALL_STATUSES, type CallStatus } from '../../shared/protocol';
import type { ProfileKey } from '../../shared/profile';
import { ProtocolError } from './errors';
import { UNBOUND, type CallRecord, type IdKind, type Party, type Sender } from './model';

export const isFinal = (status: CallStatus): boolean => FINAL_CALL_STATUSES.includes(status);

export function partyOf(call: Pick<CallRecord, 'caller_key' | 'callee_key'>, key: ProfileKey): Party | undefined {
  if (key === call.caller_key) return 'caller';
  if (key === call.callee_key) return 'callee';
  return undefined;
}

/**
 * The refusal of a call the sender is not in. A call id that names no call gets the very same, so
 * an outsider cannot tell which call ids exist.
 */
export const notAParticipant = (callId: string): ProtocolError =>
  new ProtocolError('not_a_participant', 'You are not a participant of this call', callId);

/** Only the call's participants may answer, decline, end, resume it or send candidates into it. */
export function participantOf(call: CallRecord, sender: Sender): Party {
  const party = partyOf(call, sender.key);
  if (!party) throw notAParticipant(call.call_id);
  return party;
}

export const otherParty = (party: Party): Party => (party === 'caller' ? 'callee' : 'caller');

/**
 * The sockets a party is bound to in the call: the caller's one socket (none yet for a
 * platform-started call it has not offered into), or the callee's rung (later: answering) sockets.
 */
export function socketsOfParty(call: Pick<CallRecord, 'caller_connection_id' | 'callee_connection_ids'>, party: Party): string[] {
  if (party === 'callee') return call.callee_connection_ids;
  return callerBound(call) ? [call.caller_connection_id] : [];
}

/** Whether the caller has a socket in the call (always, but for a platform-started call before its offer). */
export const callerBound = (call: Pick<CallRecord, 'caller_connection_id'>): boolean => call.caller_connection_id !== UNBOUND;

/** Whole seconds between answer and end, never negative. */
export function durationSeconds(answeredAt: string, endedAt: string): number {
  return Math.max(0, Math.floor((Date.parse(endedAt) - Date.parse(answeredAt)) / 1000));
}

export const idKindOf = (id: string | number): IdKind => (typeof id === 'number' ? 'number' : 'string');
export const restoreId = (id: string, kind: IdKind): string | number => (kind === 'number' ? Number(id) : id);
