/** What the user is told when a call ends: one clear sentence per outcome, and what to do about it. */
import { CallError, CallErrorCode, type Call, type CallEnd } from '../client';
import { connectionProblem, NOT_CONNECTED_WORDS } from './connection-words';
import { displayName, formatDuration } from './format';

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

export interface Outcome {
  message: string;
  kind: ToastKind;
  /** Toast `data-outcome`, for tests and styling. */
  outcome: string;
}

export function describeEnd(call: Call, end: CallEnd): Outcome | undefined {
  const who = displayName(call.peer.name, call.peer.profileType, call.peer.profileId);
  const duration = end.durationSeconds === null ? '' : ` · ${formatDuration(end.durationSeconds)}`;
  const say = (message: string, kind: ToastKind = 'info'): Outcome => ({ message, kind, outcome: end.error?.code ?? end.reason });
  switch (end.reason) {
    case 'hangup':
      return say(`Call ended${duration}`);
    case 'cancelled':
      return say('Call cancelled');
    case 'declined':
      return say(`You declined ${who}'s call`);
    case 'peer_hangup':
      return say(`${who} ended the call${duration}`);
    case 'peer_cancelled':
    case 'missed':
      return say(`Missed ${call.type} call from ${who}`, 'warning');
    case 'rejected':
      return say(`${who} declined your call`, 'warning');
    case 'busy':
      return say(`${who} is on another call. Try again in a moment.`, 'warning');
    case 'offline':
      // Also what a caller hears whom the callee's settings refuse: it must read true for both, and tell them apart for neither.
      return say(`${who} can't be reached right now. They may be offline or not taking calls.`, 'warning');
    case 'no_answer':
      return say(`${who} didn't answer`, 'warning');
    case 'answered_elsewhere':
      return say('Answered on another device');
    case 'declined_elsewhere':
      return say('Declined on another device');
    case 'resumed_elsewhere':
      return say('The call continued on another device');
    case 'disconnected':
      return say(`The call dropped: the connection to ${who} was lost${duration}`, 'error');
    case 'superseded':
      return undefined;
    case 'failed':
      return { ...describeError(end.error, who), outcome: end.error?.serverCode ?? end.error?.code ?? 'failed' };
  }
}

/** What went wrong with a call to or from `who`. */
export function describeError(error: CallError | undefined, who: string): Omit<Outcome, 'outcome'> {
  switch (error?.code) {
    case CallErrorCode.PermissionDenied:
      return {
        kind: 'error',
        message:
          'Camera or microphone access is blocked. Click the camera icon in the address bar (or open the site settings), allow access, and try again.',
      };
    case CallErrorCode.NoDevice:
      return { kind: 'error', message: 'No microphone was found. Connect a headset or microphone and try again.' };
    case CallErrorCode.DeviceBusy:
      return { kind: 'error', message: 'Your camera or microphone is in use by another app. Close that app and try again.' };
    case CallErrorCode.NotConnected:
      return { kind: 'error', message: NOT_CONNECTED_WORDS[connectionProblem()] };
    case CallErrorCode.SignalingLost:
      return { kind: 'error', message: 'The connection dropped while calling. Please call again.' };
    case CallErrorCode.ConnectionFailed:
      return { kind: 'error', message: "The call couldn't connect: the network between you may be blocking it." };
    case CallErrorCode.Timeout:
      return { kind: 'error', message: "The call service didn't respond. Try again in a moment." };
    case CallErrorCode.Unauthorized:
    case CallErrorCode.TooManySockets:
      return describeConnectionError(error.code);
    case CallErrorCode.Refused:
      return { kind: 'error', message: refusal(error, who) };
    default:
      return { kind: 'error', message: "Your browser couldn't set up the call. Reload the page and try again." };
  }
}

/** Why the connection to the call service stopped. */
export function describeConnectionError(code: CallErrorCode): Omit<Outcome, 'outcome'> {
  if (code === CallErrorCode.TooManySockets) {
    return { kind: 'warning', message: "This tab was disconnected because you're signed in on too many tabs or devices." };
  }
  return { kind: 'error', message: 'Your session has expired. Sign in again.' };
}

/** Why a change of the call settings (a block, an unblock, who can call me) did not go through. */
export function describeSettingsError(error: unknown): string {
  const code = error instanceof CallError ? error.code : undefined;
  switch (code) {
    case CallErrorCode.NotConnected:
    case CallErrorCode.TooManySockets:
      return NOT_CONNECTED_WORDS[connectionProblem()];
    case CallErrorCode.Timeout:
      return "The call service didn't respond. Try again in a moment.";
    default:
      return error instanceof CallError && error.serverCode === 'rate_limited'
        ? 'Too many changes in a short time. Wait a moment and try again.'
        : "The call service couldn't save that. Try again.";
  }
}

function refusal(error: CallError, who: string): string {
  switch (error.serverCode) {
    case 'forbidden':
      return `${who} can't be called right now.`;
    case 'cannot_call_self':
      return "You can't call yourself.";
    case 'already_in_call':
      return "You're already in a call.";
    case 'call_not_ringing':
    case 'call_not_found':
      return 'That call is no longer ringing.';
    case 'invalid_message':
      return 'Check the profile type and id, then try again.';
    case 'rate_limited':
      return `You've called ${who} several times; try again in a few minutes.`;
    default:
      return `${who} can't be called right now.`;
  }
}
