/** Everything that can go wrong in a call or on the signaling connection, as one documented enum. */
import type { ErrorCode } from '../../../shared/errors';

export const CallErrorCode = {
  /** Camera or microphone access was refused (by the user or a policy). Allow it in the site settings and try again. */
  PermissionDenied: 'permission_denied',
  /** No microphone (or, for video, no camera) exists. Plug one in, or place a voice call. */
  NoDevice: 'no_device',
  /** The device exists but cannot be opened, usually because another application holds it. */
  DeviceBusy: 'device_busy',
  /** An offer or answer could not be created or was refused by the browser. */
  NegotiationFailed: 'negotiation_failed',
  /** ICE/DTLS failed: no network path between the two browsers (a TURN server may be needed). */
  ConnectionFailed: 'connection_failed',
  /** The signaling connection is down and the action cannot wait for it (placing a call while offline). */
  NotConnected: 'not_connected',
  /** The signaling connection dropped while the call was being set up, which the server treats as a cancel. */
  SignalingLost: 'signaling_lost',
  /**
   * The server closed the connection because this profile opened more sockets (tabs, devices) than
   * it allows. The client does not reconnect by itself, which would only close another tab in
   * turn: offer the user `CallClient.reconnect()`.
   */
  TooManySockets: 'too_many_sockets',
  /** The sign-in token has expired or was refused: sign in again. */
  Unauthorized: 'unauthorized',
  /** The server refused a request; `serverCode` holds the protocol's `error.code`. */
  Refused: 'refused',
  /** A request or a call setup step got no answer in time. */
  Timeout: 'timeout',
  /** A message would exceed the 32 KB frame limit of the signaling connection. */
  MessageTooLarge: 'message_too_large',
} as const;

export type CallErrorCode = (typeof CallErrorCode)[keyof typeof CallErrorCode];

export class CallError extends Error {
  override readonly name = 'CallError';

  constructor(
    readonly code: CallErrorCode,
    message: string,
    readonly serverCode?: ErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a getUserMedia rejection to the enum (DOMException names from the Media Capture spec). */
export function mediaError(error: unknown): CallError {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CallError(CallErrorCode.PermissionDenied, 'Camera or microphone access was denied', undefined, { cause: error });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CallError(CallErrorCode.NoDevice, 'No camera or microphone was found', undefined, { cause: error });
    default:
      return new CallError(CallErrorCode.DeviceBusy, 'The camera or microphone could not be started', undefined, { cause: error });
  }
}
