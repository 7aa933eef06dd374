/** The gateway's own log: one JSON object per line, like the handlers' routing lines. */

import { ENV } from '../../shared/env';
import { logLevelReaches, parseLogLevel, type LogLevel } from '../../shared/settings';

export type { LogLevel };

/** `LOG_LEVEL`, the handlers' setting, when it names a level. */
export function logLevelFromEnvironment(env: Record<string, string | undefined> = process.env): LogLevel | undefined {
  return parseLogLevel(env[ENV.logLevel]);
}

export interface GatewayLog {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export function errorFields(error: unknown): Record<string, string | undefined> {
  return error instanceof Error ? { error: error.name, error_message: error.message, stack: error.stack } : { error: String(error) };
}

export function createLog(minimum: LogLevel = 'info'): GatewayLog {
  const write = (level: LogLevel, msg: string, fields: object = {}): void => {
    if (!logLevelReaches(level, minimum)) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, source: 'gateway', msg, ...fields });
    // Same split as the handlers: problems on stderr, everything else on stdout.
    if (level === 'warn' || level === 'error') console.error(line);
    else console.log(line);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
