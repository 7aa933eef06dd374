/**
 * The app's settings from CDK context. Values given with `-c key=value` arrive as strings, values
 * in cdk.json as JSON: both are accepted, anything else fails synth with the key named.
 */
import { DEFAULT_LIVENESS_CHECK_SECONDS, DEFAULT_RESUME_GRACE_SECONDS, DEFAULT_RING_TIMEOUT_SECONDS } from '../../shared/limits';

export interface AppSettings {
  readonly stackName: string;
  readonly stageName: string;
  /** The built web client, relative to the project root (or absolute). */
  readonly webDist: string;
  readonly retainData: boolean;
  readonly ringTimeoutSeconds: number;
  readonly resumeGraceSeconds: number;
  readonly livenessCheckSeconds: number;
  readonly profileTypes: readonly string[] | undefined;
  readonly stunUrls: readonly string[];
  readonly alarmTopicArn: string | undefined;
  readonly bundleAwsSdk: boolean;
  readonly manageAccountLogRole: boolean;
}

export const DEFAULT_STACK_NAME = 'CallSignal';

type ContextReader = (key: string) => unknown;

class SettingError extends Error {
  constructor(key: string, expected: string, value: unknown) {
    super(`Context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'SettingError';
  }
}

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingError(key, 'a string', value);
  return value;
}

function flag(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingError(key, 'true or false', value);
}

function seconds(read: ContextReader, key: string, fallback: number): number {
  const value = read(key);
  if (value === undefined || value === null || value === '') return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number <= 0) throw new SettingError(key, 'a positive whole number of seconds', value);
  return number;
}

function list(read: ContextReader, key: string): string[] | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items || !items.every((item): item is string => typeof item === 'string')) {
    throw new SettingError(key, 'a comma-separated string or a list of strings', value);
  }
  return items.map((item) => item.trim()).filter(Boolean);
}

export function readAppSettings(read: ContextReader): AppSettings {
  const stackName = text(read, 'stackName') ?? DEFAULT_STACK_NAME;
  // CloudFormation's rule for stack names.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new SettingError('stackName', 'a valid stack name', stackName);
  return {
    stackName,
    stageName: text(read, 'stageName') ?? 'live',
    webDist: text(read, 'webDist') ?? 'web/dist',
    retainData: flag(read, 'retainData', true),
    ringTimeoutSeconds: seconds(read, 'ringTimeoutSeconds', DEFAULT_RING_TIMEOUT_SECONDS),
    resumeGraceSeconds: seconds(read, 'resumeGraceSeconds', DEFAULT_RESUME_GRACE_SECONDS),
    livenessCheckSeconds: seconds(read, 'livenessCheckSeconds', DEFAULT_LIVENESS_CHECK_SECONDS),
    profileTypes: list(read, 'profileTypes'),
    stunUrls: list(read, 'stunUrls') ?? [],
    alarmTopicArn: text(read, 'alarmTopicArn'),
    bundleAwsSdk: flag(read, 'bundleAwsSdk', false),
    manageAccountLogRole: flag(read, 'manageAccountLogRole', true),
  };
}
