/**
 * A socket lives no longer than the token it connected with: the authorizer checks the token once,
 * at connect, so later messages are checked against the expiry it recorded in the socket's context.
 */
import { IDLE_TIMEOUT_SECONDS, MAX_CONNECTION_SECONDS } from '../../shared/limits';

/** Past API Gateway's 2 h cap a socket record can only be a leftover. */
const SOCKET_TTL_SECONDS = MAX_CONNECTION_SECONDS + 5 * 60;

/**
 * Whether a socket's token has expired by `nowMs` (as jose sees `exp`: expired from that second
 * on). A socket without a recorded expiry (connected before the authorizer recorded one) is left
 * to the 2 h cap.
 */
export function tokenHasExpired(tokenExpiresAt: number | undefined, nowMs: number): boolean {
  return tokenExpiresAt !== undefined && nowMs >= tokenExpiresAt * 1000;
}

/**
 * When (epoch seconds) the record of a socket opened at `nowMs` may be forgotten: at the 2 h cap, or
 * sooner when the token expires first. A socket outlives its token only until its next message
 * closes it, and a socket sending nothing is closed by the 10-minute idle timeout.
 */
export function socketRecordExpiry(nowMs: number, tokenExpiresAt: number | undefined): number {
  const capped = Math.floor(nowMs / 1000) + SOCKET_TTL_SECONDS;
  return tokenExpiresAt === undefined ? capped : Math.min(capped, Math.ceil(tokenExpiresAt) + IDLE_TIMEOUT_SECONDS);
}
