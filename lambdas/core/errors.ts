import type { ErrorCode } from '../../shared/errors';

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
