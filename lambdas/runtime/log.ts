/**
 * Structured logs: one JSON line per routing decision, the same locally and in CloudWatch, so
 * "why did this call not ring?" is one query by call_id.
 */
import { Console } from 'node:console';
import { ENV } from '../../shared/env';
import { profileKey, type ProfileId } from '../../shared/profile';
import type { RoutingLine } from '../../shared/routing-line';
import { logLevelReaches, parseLogLevel, type LogLevel } from '../../shared/settings';

/** `LOG_LEVEL` (read once): lines below it are not written. */
const threshold: LogLevel = parseLogLevel(process.env[ENV.logLevel]) ?? 'info';

/**
 * Lambda's JSON log format wraps lines written through the global console inside a `message`
 * string; writing through a console of our own keeps each line a top-level JSON object that
 * metric filters and Logs Insights read field by field.
 */
const out = new Console({ stdout: process.stdout, stderr: process.stderr });

function write(level: LogLevel, msg: string, fields: object): void {
  if (!logLevelReaches(level, threshold)) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error' || level === 'warn') out.error(line);
  else out.log(line);
}

export function logRouting(line: RoutingLine): void {
  write('info', 'routing', line);
}

export function logFailure(route: string, requestId: string | null, error: unknown): void {
  const detail =
    error instanceof Error ? { error: error.name, error_message: error.message, stack: error.stack } : { error: String(error) };
  write('error', 'handler_failed', { route, request_id: requestId, ...detail });
}

/**
 * Which check refused an invitation (`forbidden` to the caller, who is told nothing more): for the
 * operator and the platform's integrators. The routing line of the refusal follows it.
 */
export function logCallRefusal(from: string, invitation: { to_profile_type: string; to_profile_id: ProfileId }, refusal: string): void {
  write('info', 'call_forbidden', { from, to: profileKey(invitation.to_profile_type, invitation.to_profile_id), refusal });
}
