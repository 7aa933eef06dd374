/** The server's decline and end reasons, as this client's `CallEndReason` (which depends on our side of the call). */
import type { DeclineReason, EndReason } from '../../../shared/protocol';
import type { CallDirection, CallEndReason } from './call-types';

const DECLINED: Record<DeclineReason, CallEndReason> = {
  rejected: 'rejected',
  busy: 'busy',
  offline: 'offline',
  timeout: 'no_answer',
};

export function declinedReason(reason: DeclineReason): CallEndReason {
  return DECLINED[reason];
}

export function endedReason(reason: EndReason, direction: CallDirection): CallEndReason {
  switch (reason) {
    case 'hangup':
      return 'peer_hangup';
    case 'cancelled':
      return direction === 'incoming' ? 'peer_cancelled' : 'cancelled';
    case 'timeout':
      return direction === 'incoming' ? 'missed' : 'no_answer';
    default:
      return reason;
  }
}
