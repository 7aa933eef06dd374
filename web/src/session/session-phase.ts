/** What a member's page says of the session's call, from the server's view of it and whether this page is in it. */
import type { SessionCallView, SessionRole } from '../../../shared/session-protocol';

/**
 * - `loading`: the server has not answered yet;
 * - `none`: no call is open: either member may start one;
 * - `ringing`: the other member is in the call and this page is not: join it;
 * - `open`: the call is open but neither member is in it now (both dropped or reloaded): join it;
 * - `waiting`: this page is in the call, the other member is not (yet, or not any more);
 * - `active`: both are in it;
 * - `ended`: the last call is over.
 */
export type SessionPhase = 'loading' | 'none' | 'ringing' | 'open' | 'waiting' | 'active' | 'ended';

export const otherRole = (role: SessionRole): SessionRole => (role === 'tutor' ? 'student' : 'tutor');

export function sessionPhase(view: SessionCallView | null | undefined, me: SessionRole, inCall: boolean): SessionPhase {
  if (view === undefined) return 'loading';
  if (view === null) return 'none';
  if (view.status === 'ended') return 'ended';
  const otherPresent = view.members[otherRole(me)].present;
  if (inCall) return otherPresent ? 'active' : 'waiting';
  return otherPresent ? 'ringing' : 'open';
}
