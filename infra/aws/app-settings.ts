/**
 * The app's settings from CDK context. Values given with `-c key=value` arrive as strings, values
 * in cdk.json as JSON: both are accepted, anything else fails synth with the key named.
 */
import { readAbuseLimits, type AbuseLimitSettings } from '../../shared/abuse-limits';
import { parseCallPolicy, type CallPolicy } from '../../shared/call-policy';
import {
  DEFAULT_LIVENESS_CHECK_SECONDS,
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
} from '../../shared/limits';
import { DEFAULT_FUNCTION_LAYOUT, FUNCTION_LAYOUTS, type FunctionLayoutName } from '../../shared/routes';
import { commaList, positiveNumber, SettingError } from '../../shared/settings';
import { DEFAULT_KVS_TURN_CHANNELS, MAX_KVS_TURN_CHANNELS, TURN_KINDS, type TurnSettings } from './ice-servers';

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
  /** STUN servers; undefined keeps the stack's default (Kinesis Video Streams' for the region), empty (`none`) offers none. */
  readonly stunUrls: readonly string[] | undefined;
  /** TURN: none, Kinesis Video Streams' managed TURN, or a TURN REST service. */
  readonly turn: TurnSettings;
  readonly alarmTopicArn: string | undefined;
  readonly bundleAwsSdk: boolean;
  readonly manageAccountLogRole: boolean;
  /** Connect tokens valid for longer (`exp − iat`) are refused. */
  readonly tokenMaxLifetimeSeconds: number;
  /** When set, connect tokens must carry this `iss` / this `aud`. */
  readonly tokenIssuer: string | undefined;
  readonly tokenAudience: string | undefined;
  /** Who may call whom (`open` or `conversation`); unset keeps the stack's default, `open`. */
  readonly callPolicy: CallPolicy | undefined;
  /** The longest-lived call grant accepted; unset keeps the handlers' default. */
  readonly callGrantMaxTtlSeconds: number | undefined;
  /** An IAM principal that may assume a role allowed to call the platform API. */
  readonly platformPrincipalArn: string | undefined;
  /** Socket cap, rate limits, repeated-ring limit (context keys as in `shared/abuse-limits.ts`); only those given. */
  readonly abuseLimits: AbuseLimitSettings;
  /** One Lambda function per route, or one per API (`shared/routes.ts`). */
  readonly functionLayout: FunctionLayoutName;
}

export const DEFAULT_STACK_NAME = 'CallSignal';

type ContextReader = (key: string) => unknown;

const contextKey = (key: string): string => `Context "${key}"`;

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingError(contextKey(key), 'a string', value);
  return value;
}

function flag(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingError(contextKey(key), 'true or false', value);
}

const seconds = (read: ContextReader, key: string, fallback: number): number =>
  positiveNumber(contextKey(key), read(key), fallback, { integer: true });

const isUnset = (value: unknown): boolean => value === undefined || value === null || value === '';

/** Undefined when unset, so a setting can fall back to the handlers' own default. */
function list(read: ContextReader, key: string): string[] | undefined {
  const items = commaList(contextKey(key), read(key));
  return items.length > 0 ? items : undefined;
}

/** An IAM principal's ARN (an account root, a role, a user), so a typo fails synth rather than deploy. */
function principalArn(read: ContextReader, key: string): string | undefined {
  const value = text(read, key);
  if (value !== undefined && !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|role\/.+|user\/.+|assumed-role\/.+)$/.test(value)) {
    throw new SettingError(contextKey(key), 'an IAM principal ARN (arn:aws:iam::<account>:role/<name>, …:root, …:user/<name>)', value);
  }
  return value;
}

/** `none` turns STUN off; unset keeps the default. */
function stunUrls(read: ContextReader): string[] | undefined {
  if (read('stunUrls') === 'none') return [];
  const urls = list(read, 'stunUrls');
  const wrong = urls?.find((url) => !/^stuns?:/.test(url));
  if (wrong !== undefined) throw new SettingError(contextKey('stunUrls'), 'STUN URLs (stun:host:port), or none', wrong);
  return urls;
}

/** A Secrets Manager secret's complete ARN (with its six-character suffix), so its grant needs no wildcard. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

function turn(read: ContextReader): TurnSettings {
  const kind = text(read, 'turn') ?? 'none';
  if (!(TURN_KINDS as readonly string[]).includes(kind)) throw new SettingError(contextKey('turn'), TURN_KINDS.join(', or '), kind);
  if (kind === 'kvs') {
    const channels = positiveNumber(contextKey('kvsTurnChannels'), read('kvsTurnChannels'), DEFAULT_KVS_TURN_CHANNELS, { integer: true });
    if (channels > MAX_KVS_TURN_CHANNELS)
      throw new SettingError(contextKey('kvsTurnChannels'), `at most ${MAX_KVS_TURN_CHANNELS}`, channels);
    return { kind, channels };
  }
  if (kind === 'rest') {
    const urls = list(read, 'turnUrls') ?? [];
    if (urls.length === 0 || urls.some((url) => !/^turns?:/.test(url))) {
      throw new SettingError(contextKey('turnUrls'), 'TURN URLs (turn:host:port, turns:host:port) with turn=rest', read('turnUrls'));
    }
    const secretArn = text(read, 'turnSecretArn');
    if (secretArn !== undefined && !SECRET_ARN.test(secretArn)) {
      throw new SettingError(
        contextKey('turnSecretArn'),
        "a secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX)",
        secretArn,
      );
    }
    return { kind, urls, ...(secretArn ? { secretArn } : {}) };
  }
  return { kind: 'none' };
}

function functionLayout(read: ContextReader): FunctionLayoutName {
  const value = text(read, 'functionLayout') ?? DEFAULT_FUNCTION_LAYOUT;
  const layout = FUNCTION_LAYOUTS.find((name) => name === value);
  if (!layout) throw new SettingError(contextKey('functionLayout'), FUNCTION_LAYOUTS.join(' or '), value);
  return layout;
}

export function readAppSettings(read: ContextReader): AppSettings {
  const stackName = text(read, 'stackName') ?? DEFAULT_STACK_NAME;
  // CloudFormation's rule for stack names.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new SettingError(contextKey('stackName'), 'a valid stack name', stackName);
  return {
    stackName,
    stageName: text(read, 'stageName') ?? 'live',
    webDist: text(read, 'webDist') ?? 'web/dist',
    retainData: flag(read, 'retainData', true),
    ringTimeoutSeconds: seconds(read, 'ringTimeoutSeconds', DEFAULT_RING_TIMEOUT_SECONDS),
    resumeGraceSeconds: seconds(read, 'resumeGraceSeconds', DEFAULT_RESUME_GRACE_SECONDS),
    livenessCheckSeconds: seconds(read, 'livenessCheckSeconds', DEFAULT_LIVENESS_CHECK_SECONDS),
    profileTypes: list(read, 'profileTypes'),
    stunUrls: stunUrls(read),
    turn: turn(read),
    alarmTopicArn: text(read, 'alarmTopicArn'),
    bundleAwsSdk: flag(read, 'bundleAwsSdk', false),
    manageAccountLogRole: flag(read, 'manageAccountLogRole', true),
    tokenMaxLifetimeSeconds: seconds(read, 'tokenMaxLifetimeSeconds', DEFAULT_TOKEN_MAX_LIFETIME_SECONDS),
    tokenIssuer: text(read, 'tokenIssuer'),
    tokenAudience: text(read, 'tokenAudience'),
    callPolicy: isUnset(read('callPolicy')) ? undefined : parseCallPolicy(contextKey('callPolicy'), read('callPolicy')),
    callGrantMaxTtlSeconds: isUnset(read('callGrantMaxTtlSeconds')) ? undefined : seconds(read, 'callGrantMaxTtlSeconds', 0),
    platformPrincipalArn: principalArn(read, 'platformPrincipalArn'),
    abuseLimits: readAbuseLimits(contextKey, read),
    functionLayout: functionLayout(read),
  };
}
