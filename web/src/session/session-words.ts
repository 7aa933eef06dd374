/** What the session page says of its call, in plain words. */
import type { SessionEndReason, SessionRole } from '../../../shared/session-protocol';
import type { SessionPhase } from './session-phase';

export const roleName = (role: SessionRole): string => (role === 'tutor' ? 'the tutor' : 'the student');

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const ENDED_WORDS: Record<SessionEndReason, string> = {
  ended_by_member: 'The call was ended for both.',
  everyone_left: 'Everyone left, so the call ended.',
  window_closed: "The session's time is up: the call has ended.",
  wait_limit: 'No one else joined in time: the call has ended.',
};

export function phaseWords(phase: SessionPhase, other: string, joining: boolean, endReason?: SessionEndReason): string {
  if (joining) return 'Joining the call…';
  switch (phase) {
    case 'loading':
      return 'Connecting to the session…';
    case 'none':
      return 'No call yet. Start one when you are ready.';
    case 'ringing':
      return `${capitalized(other)} is in the call: join them.`;
    case 'open':
      return 'The call is open: join it.';
    case 'waiting':
      return `Waiting for ${other} to join…`;
    case 'active':
      return `In the call with ${other}.`;
    case 'ended':
      return endReason ? ENDED_WORDS[endReason] : 'The call has ended.';
  }
}

export function endWords(reason: SessionEndReason | null | undefined): string {
  switch (reason) {
    case 'ended_by_member':
      return 'Ended for both';
    case 'everyone_left':
      return 'Everyone left';
    case 'window_closed':
      return "The session's time was up";
    case 'wait_limit':
      return 'No one else joined in time';
    default:
      return 'Ended';
  }
}

export function eventWords(event: 'joined' | 'left' | 'dropped' | 'rejoined'): string {
  return { joined: 'joined', left: 'left', dropped: 'lost the connection', rejoined: 'rejoined' }[event];
}
