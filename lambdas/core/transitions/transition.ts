/**
 * What a transition is. Each rule of the protocol's "Calls" section is a pure function in this
 * folder: given the call as the core saw it, who acts and when, it returns the guarded change to
 * write and what to announce once that write has won (or, with nothing to write, what to announce
 * about the call as it stands). They do no I/O: `../apply.ts` carries them out.
 */
import type { ServerMessage } from '../../../shared/protocol';
import type { Outcome } from '../../../shared/routing-line';
import type { ProfileKey } from '../../../shared/profile';
import type { CallChanges, CallGuard, CallRecord, Party } from '../model';
import { callerBound, durationSeconds } from '../rules';

/** A message and the sockets it goes to. */
export interface Send {
  to: readonly string[];
  /** And every live socket of this profile (the caller of a platform-started call before it has one in the call). */
  toProfile?: ProfileKey;
  message: ServerMessage;
  /** Its sockets are the ones the routing line counts (`sockets_reached`, `gone_sockets`). */
  counted?: boolean;
  /** The party of an answered call these sockets are: one found gone is that party dropped. */
  party?: Party;
}

export interface Announcement {
  /** Messages to different sockets go out at once; one to a socket already sent to waits for the earlier one. */
  sends: readonly Send[];
  /** The routing line; absent when whatever caused the transition logs it (a glare loser's decline). */
  line?: { outcome: Outcome; reason: string | null };
  /** The call as it now is, when the written image does not show it (an answer writes returning the call as it was). */
  call?: CallRecord;
}

/** A change of the call, written only if its guard still holds. */
export interface Transition {
  kind: 'write';
  callId: string;
  guard: CallGuard;
  changes: CallChanges;
  /** The image `announce` gets: the call as written, or (`before`) as it was just before the write. */
  image: 'after' | 'before';
  announce(image: CallRecord): Announcement;
}

/** Nothing to write: what to announce about the call as it stands. */
export interface Settled {
  kind: 'settled';
  call: CallRecord;
  announcement: Announcement;
}

export type Step = Transition | Settled;

export const settled = (call: CallRecord, announcement: Announcement): Settled => ({ kind: 'settled', call, announcement });

/** Nothing to write and nothing to say (the news is old, or the event does not concern the call). */
export const nothing = (call: CallRecord): Settled => settled(call, { sends: [] });

/**
 * Where news for the caller goes: its socket in the call, or, for a platform-started call it has
 * not offered into yet, every socket of its profile.
 */
export const toCaller = (call: CallRecord): Pick<Send, 'to' | 'toProfile'> =>
  callerBound(call) ? { to: [call.caller_connection_id] } : { to: [], toProfile: call.caller_key };

/** A final status: the call's timer and any wait for a resume go with it (and `apply` frees both lines). */
export const finalChanges = (changes: CallChanges): CallChanges => ({ ...changes, deadline_at: null, disconnected_party: null });

/** The end of an answered call, with its duration from the answer. */
export function endedChanges(call: CallRecord, reason: 'hangup' | 'disconnected', now: Date): CallChanges {
  const endedAt = now.toISOString();
  return finalChanges({
    status: 'ended',
    end_reason: reason,
    ended_at: endedAt,
    duration_seconds: durationSeconds(call.answered_at ?? call.started_at, endedAt),
  });
}

/** When an answered call (just answered, or whole again after a drop) is next due for a liveness check. */
export const livenessDeadline = (now: Date, livenessCheckSeconds: number): string =>
  new Date(now.getTime() + livenessCheckSeconds * 1000).toISOString();
