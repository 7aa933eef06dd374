import { describe, expect, it } from 'vitest';
import { commaList, logLevelReaches, parseLogLevel, positiveNumber, SettingError, wholeNumber } from '../../shared/settings';

describe('settings are read one way wherever they come from', () => {
  it('take a positive number from text or a number, and the fallback when unset', () => {
    expect(positiveNumber('RING', '30', 45)).toBe(30);
    expect(positiveNumber('RING', 1.5, 45)).toBe(1.5);
    for (const unset of [undefined, null, '', '  ']) expect(positiveNumber('RING', unset, 45)).toBe(45);
  });

  it('refuse zero, negatives, words and fractions where whole numbers are asked, naming the setting', () => {
    for (const bad of ['0', '-5', 'soon', Number.NaN, true])
      expect(() => positiveNumber('RING_TIMEOUT_SECONDS', bad, 45)).toThrow(SettingError);
    expect(() => positiveNumber('RING_TIMEOUT_SECONDS', 'soon', 45)).toThrow('RING_TIMEOUT_SECONDS must be a positive number, got "soon"');
    expect(() => positiveNumber('Context "ringTimeoutSeconds"', '1.5', 45, { integer: true })).toThrow(
      /ringTimeoutSeconds" must be a positive whole number/,
    );
  });

  it('take a whole number of at least a bound (a queue of 0, a limit of 1), and nothing when unset', () => {
    expect(wholeNumber('FUNCTION_QUEUE_DEPTH', '0', 0)).toBe(0);
    expect(wholeNumber('FUNCTION_CONCURRENCY', 4)).toBe(4);
    for (const unset of [undefined, null, '', '  ']) expect(wholeNumber('FUNCTION_CONCURRENCY', unset)).toBeUndefined();
    for (const bad of ['0', '2.5', 'ten', Number.NaN]) expect(() => wholeNumber('FUNCTION_CONCURRENCY', bad)).toThrow(SettingError);
    expect(() => wholeNumber('FUNCTION_QUEUE_DEPTH', '-1', 0)).toThrow(
      'FUNCTION_QUEUE_DEPTH must be a whole number of at least 0, got "-1"',
    );
  });

  it('split comma lists, trimming and dropping empty items, and take lists as they are', () => {
    expect(commaList('STUN_URLS', ' stun:a:3478, ,stun:b:3478 ')).toEqual(['stun:a:3478', 'stun:b:3478']);
    expect(commaList('profileTypes', ['tutor', ' student '])).toEqual(['tutor', 'student']);
    expect(commaList('STUN_URLS', undefined)).toEqual([]);
    expect(() => commaList('profileTypes', [1, 2])).toThrow(/profileTypes must be a comma-separated string or a list of strings/);
  });

  it('know the log levels by name in any case, and which lines a threshold lets through', () => {
    expect(parseLogLevel(' WARN ')).toBe('warn');
    expect(parseLogLevel('loud')).toBeUndefined();
    expect(logLevelReaches('error', 'warn')).toBe(true);
    expect(logLevelReaches('info', 'warn')).toBe(false);
  });
});
