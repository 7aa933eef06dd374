/** The whiteboard functions' settings, read from the environment once per container, failing fast. */
import { ENV } from '../../shared/env';
import {
  DEFAULT_SOCKETS_PER_PROFILE,
  DEFAULT_SESSION_EARLY_JOIN_SECONDS,
  DEFAULT_SESSION_REJOIN_GRACE_SECONDS,
  DEFAULT_SESSION_WAIT_LIMIT_SECONDS,
} from '../../shared/limits';
import { parseProfileTypes } from '../../shared/profile';
import { positiveNumber } from '../../shared/settings';
import type { GrantIssuance } from '../auth/call-grant';
import type { SessionSettings } from '../core/sessions/model';
import type { RateLimits } from '../core/rate-limiter';
import type { IceSettings } from '../core/model';
import { iceSettings, rateLimits } from './config';

export interface SessionRuntimeConfig extends SessionSettings {
  connectionsTable: string;
  /** The chat calls' table: a member's line a chat call holds is judged from it. */
  callLogsTable: string;
  whiteboardCallHistoryTable: string;
  /** The whiteboard API's own @connections endpoint. */
  managementEndpoint: string;
  earlyJoinSeconds: number;
  issuance: GrantIssuance;
  rateLimits: RateLimits;
  profileTypes: readonly string[];
  /** Whiteboard sockets one profile may hold open (counted apart from its chat sockets). */
  socketsPerProfile: number;
  /** What the whiteboard API's `ice_servers` answers from. */
  ice: IceSettings;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export function readSessionConfig(env: Env = process.env): SessionRuntimeConfig {
  const issuer = env[ENV.tokenIssuer]?.trim();
  const audience = env[ENV.tokenAudience]?.trim();
  return {
    connectionsTable: required(env, ENV.connectionsTable),
    callLogsTable: required(env, ENV.callLogsTable),
    whiteboardCallHistoryTable: required(env, ENV.whiteboardCallHistoryTable),
    managementEndpoint: required(env, ENV.whiteboardManagementEndpoint),
    waitLimitSeconds: positiveNumber(ENV.sessionWaitLimitSeconds, env[ENV.sessionWaitLimitSeconds], DEFAULT_SESSION_WAIT_LIMIT_SECONDS),
    rejoinGraceSeconds: positiveNumber(
      ENV.sessionRejoinGraceSeconds,
      env[ENV.sessionRejoinGraceSeconds],
      DEFAULT_SESSION_REJOIN_GRACE_SECONDS,
    ),
    earlyJoinSeconds: positiveNumber(ENV.sessionEarlyJoinSeconds, env[ENV.sessionEarlyJoinSeconds], DEFAULT_SESSION_EARLY_JOIN_SECONDS),
    issuance: { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) },
    rateLimits: rateLimits(env),
    profileTypes: parseProfileTypes(env[ENV.profileTypes]),
    socketsPerProfile: positiveNumber(ENV.socketsPerProfile, env[ENV.socketsPerProfile], DEFAULT_SOCKETS_PER_PROFILE, { integer: true }),
    ice: iceSettings(env),
  };
}
