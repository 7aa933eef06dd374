/**
 * How settings are read, defined once: the handlers' environment, the local gateway's flags and
 * the CDK app's context all parse numbers, lists and log levels the same way.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A log level by name (any case), or undefined when the text names none. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const wanted = text?.trim().toLowerCase();
  return LOG_LEVELS.find((level) => level === wanted);
}

/** Whether a line at `level` is written when the threshold is `minimum`. */
export const logLevelReaches = (level: LogLevel, minimum: LogLevel): boolean => LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minimum);

export class SettingError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
    readonly given: unknown,
  ) {
    super(`${setting} must be ${expected}, got ${typeof given === 'string' ? `"${given}"` : JSON.stringify(given)}`);
    this.name = 'SettingError';
  }
}

export interface NumberRule {
  /** Whole numbers only. */
  integer?: boolean;
}

/**
 * A positive number from a setting's text or value; `fallback` when it is unset (undefined, null
 * or empty). Anything else that is not a positive (whole, when asked) number is a `SettingError`.
 */
export function positiveNumber(setting: string, given: unknown, fallback: number, rule: NumberRule = {}): number {
  if (given === undefined || given === null || (typeof given === 'string' && given.trim() === '')) return fallback;
  const value = typeof given === 'number' ? given : typeof given === 'string' ? Number(given) : Number.NaN;
  const valid = Number.isFinite(value) && value > 0 && (!rule.integer || Number.isInteger(value));
  if (!valid) throw new SettingError(setting, rule.integer ? 'a positive whole number' : 'a positive number', given);
  return value;
}

/**
 * A whole number of at least `least` from a setting's text or value; undefined when it is unset
 * (undefined, null or empty). Anything else is a `SettingError`.
 */
export function wholeNumber(setting: string, given: unknown, least = 1): number | undefined {
  if (given === undefined || given === null || (typeof given === 'string' && given.trim() === '')) return undefined;
  const value = typeof given === 'number' ? given : typeof given === 'string' ? Number(given) : Number.NaN;
  if (!Number.isInteger(value) || value < least) throw new SettingError(setting, `a whole number of at least ${least}`, given);
  return value;
}

/** A comma-separated list (or a list already), trimmed, without empty items; empty when unset. */
export function commaList(setting: string, given: unknown): string[] {
  if (given === undefined || given === null || given === '') return [];
  const items = Array.isArray(given) ? given : typeof given === 'string' ? given.split(',') : undefined;
  if (!items?.every((item): item is string => typeof item === 'string')) {
    throw new SettingError(setting, 'a comma-separated string or a list of strings', given);
  }
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}
