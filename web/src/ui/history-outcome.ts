/**
 * What a call log means to the person reading it. The log holds one truth for both parties
 * (`status`, `end_reason`); the words depend on which of them reads it: a call declined `busy`
 * was declined by nobody, the callee was in another call; one declined `offline` came while the
 * callee was away. Both are missed calls for the callee, not refusals.
 */
import type { CallLog } from '../../../shared/protocol';
import { capitalize, formatDuration } from './format';

export type HistoryOutcome =
  | 'completed'
  | 'in_progress'
  | 'ringing'
  /** Incoming, unanswered: it rang out, or the caller gave up first. */
  | 'missed'
  /** Incoming: it never rang, the callee was in another call. */
  | 'missed_while_busy'
  /** Incoming: it never rang, the callee had no page open. */
  | 'missed_while_offline'
  | 'declined_by_me'
  | 'declined_by_them'
  /** Outgoing: the callee was in another call. */
  | 'busy'
  /** Outgoing: offline, or not taking calls from me (the two read alike, so a block never shows). */
  | 'unreachable'
  | 'no_answer'
  | 'cancelled';

export interface HistoryEntry {
  outcome: HistoryOutcome;
  /** Counts as a missed call: shown as one, and in the missed-call badge. */
  missed: boolean;
  /** One line under the peer's name. */
  summary: string;
}

const MISSED: ReadonlySet<HistoryOutcome> = new Set(['missed', 'missed_while_busy', 'missed_while_offline']);

export function historyOutcome(log: Pick<CallLog, 'status' | 'end_reason'>, outgoing: boolean): HistoryOutcome {
  switch (log.status) {
    case 'initiated':
      return 'ringing';
    case 'answered':
      return 'in_progress';
    case 'ended':
      return 'completed';
    case 'declined':
      switch (log.end_reason) {
        case 'busy':
          return outgoing ? 'busy' : 'missed_while_busy';
        case 'offline':
          return outgoing ? 'unreachable' : 'missed_while_offline';
        case 'timeout':
          return outgoing ? 'no_answer' : 'missed';
        default:
          return outgoing ? 'declined_by_them' : 'declined_by_me';
      }
    case 'missed':
      if (!outgoing) return 'missed';
      return log.end_reason === 'cancelled' ? 'cancelled' : 'no_answer';
  }
}

/** `peerName`: the name, or the "Tutor 42" fallback. */
export function describeHistoryEntry(
  log: Pick<CallLog, 'status' | 'end_reason' | 'call_type' | 'duration_seconds'>,
  outgoing: boolean,
  peerName: string,
): HistoryEntry {
  const outcome = historyOutcome(log, outgoing);
  const type = log.call_type;
  const kind = `${type} call`;
  const direction = outgoing ? 'Outgoing' : 'Incoming';
  const summaries: Record<HistoryOutcome, string> = {
    completed: `${direction} ${type} · ${formatDuration(log.duration_seconds ?? 0)}`,
    in_progress: `${direction} ${type} · in progress`,
    ringing: `${capitalize(kind)} · ringing`,
    missed: `Missed ${kind}`,
    missed_while_busy: `Missed while you were in a call · ${type}`,
    missed_while_offline: `Missed while you were offline · ${type}`,
    declined_by_me: `You declined · ${kind}`,
    declined_by_them: `${peerName} declined · ${kind}`,
    busy: `${peerName} was busy · ${kind}`,
    unreachable: `${peerName} couldn't be reached · ${kind}`,
    no_answer: `No answer · ${kind}`,
    cancelled: `Cancelled · ${kind}`,
  };
  return { outcome, missed: MISSED.has(outcome), summary: summaries[outcome] };
}
