/** What the user is told when a call ends: one clear sentence per outcome, and what to do about it. */
import { CallErrorCode, type Call, type CallEnd, type CallError } from '../client';
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
      return say(`${who} is offline right now, so the call could not ring. Try again later.`, 'warning');
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
      return { ...describeError(end.error), outcome: end.error?.code ?? 'failed' };
  }
}

export function describeError(error: CallError | undefined): Omit<Outcome, 'outcome'> {
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
      return { kind: 'error', message: "You're offline. Check your internet connection and try again." };
    case CallErrorCode.SignalingLost:
      return { kind: 'error', message: 'The connection dropped while calling. Please call again.' };
    case CallErrorCode.ConnectionFailed:
      return { kind: 'error', message: "The call couldn't connect: the network between you may be blocking it." };
    case CallErrorCode.Timeout:
      return { kind: 'error', message: "The call service didn't respond. Try again in a moment." };
    case CallErrorCode.Unauthorized:
      return { kind: 'error', message: 'Your session has expired. Sign in again.' };
    case CallErrorCode.Refused:
      return { kind: 'error', message: refusal(error) };
    default:
      return { kind: 'error', message: "Your browser couldn't set up the call. Reload the page and try again." };
  }
}

function refusal(error: CallError): string {
  switch (error.serverCode) {
    case 'cannot_call_self':
      return "You can't call yourself.";
    case 'already_in_call':
      return "You're already in a call.";
    case 'call_not_ringing':
      return 'That call is no longer ringing.';
    case 'invalid_message':
      return 'Check the profile type and id, then try again.';
    case 'rate_limited':
      return 'Too many calls in a short time. Wait a moment and try again.';
    default:
      return `The call service refused the call: ${error.message}`;
  }
}
