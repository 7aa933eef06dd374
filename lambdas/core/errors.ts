import type { ErrorCode } from '../../shared/errors';
import type { CallRecord } from './model';

/** A refusal the client is told about: mapped to one protocol `error` message by the handler. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly callId?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** An answer or a decline of a call that is not (or no longer) ringing. */
export function notRinging(call: Pick<CallRecord, 'call_id' | 'status'>): ProtocolError {
  return new ProtocolError('call_not_ringing', `The call is ${call.status}, not ringing`, call.call_id);
}
