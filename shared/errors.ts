/** The `error.code` values of the protocol. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_message',
  'unknown_type',
  'message_too_large',
  'call_not_found',
  'not_a_participant',
  'call_not_ringing',
  'already_in_call',
  'cannot_call_self',
  'forbidden',
  'rate_limited',
  /** The socket's token expired: the socket is closed; reconnect with a fresh token. */
  'token_expired',
  /** The profile opened more sockets than it may: its oldest are closed. Do not reconnect on your own. */
  'too_many_sockets',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
