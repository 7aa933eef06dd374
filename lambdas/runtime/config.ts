/** The handlers' settings, read from the environment once per container, failing fast. */
import { parseCallPolicy, type CallPolicy } from '../../shared/call-policy';
import { ENV } from '../../shared/env';
import {
  DEFAULT_CALL_GRANT_MAX_TTL_SECONDS,
  DEFAULT_LIVENESS_CHECK_SECONDS,
  DEFAULT_PAIR_RING_LIMIT,
  DEFAULT_PAIR_RING_WINDOW_SECONDS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_SOCKETS_PER_PROFILE,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
} from '../../shared/limits';
import { parseProfileTypes } from '../../shared/profile';
import { commaList, positiveNumber } from '../../shared/settings';
import type { TokenPolicy } from '../auth/token';
import type { CallSettings, IceSettings } from '../core/model';
import type { Rate, RateLimits } from '../core/rate-limiter';
import type { PairRingSettings } from '../core/repeated-rings';

export interface RuntimeConfig extends CallSettings, IceSettings {
  connectionsTable: string;
  callLogsTable: string;
  profileSettingsTable: string;
  /** Set where whiteboard session calls are deployed: chat functions that claim lines judge a session call's line from it. */
  whiteboardCallHistoryTable: string | undefined;
  managementEndpoint: string;
  rateLimits: RateLimits;
  /** Sockets one profile may hold open (the oldest beyond it are closed). */
  socketsPerProfile: number;
  /** Unanswered rings from one caller to one callee. */
  pairRings: PairRingSettings;
  /** Who may call whom (see `shared/call-policy.ts`), and the longest-lived call grant accepted. */
  callPolicy: CallPolicy;
  callGrantMaxTtlSeconds: number;
  /** What the authorizer asks of connect tokens. */
  tokenPolicy: Required<Pick<TokenPolicy, 'maxLifetimeSeconds'>> & Pick<TokenPolicy, 'issuer' | 'audience'>;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** A set variable's trimmed text; undefined when unset or blank. */
const optionalText = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

const seconds = (env: Env, name: string, fallback: number): number => positiveNumber(name, env[name], fallback);

const count = (env: Env, name: string, fallback: number): number => positiveNumber(name, env[name], fallback, { integer: true });

/** A configured rate keeps the default's ratio of burst to rate, unless its burst is configured too. */
function rate(env: Env, name: string, fallback: Rate, burstName?: string): Rate {
  const perSecond = positiveNumber(name, env[name], fallback.perSecond);
  const keptRatio = Math.max(1, Math.round((perSecond * fallback.burst) / fallback.perSecond));
  return { perSecond, burst: burstName === undefined ? keptRatio : count(env, burstName, keptRatio) };
}

export function rateLimits(env: Env): RateLimits {
  const { socket, profile } = DEFAULT_RATE_LIMITS;
  const lookups = rate(env, ENV.rateLimitLookups, profile.lookups, ENV.rateLimitLookupsBurst);
  const candidates = rate(env, ENV.rateLimitCandidates, socket.candidates);
  const other = rate(env, ENV.rateLimitOther, socket.other);
  return {
    socket: { offers: rate(env, ENV.rateLimitOffers, socket.offers), lookups, candidates, other },
    profile: {
      offers: rate(env, ENV.profileRateLimitOffers, profile.offers, ENV.profileRateLimitOffersBurst),
      // One setting for both scopes (see shared/limits.ts).
      lookups,
      candidates,
      other,
    },
  };
}

/** STUN, TURN and Kinesis Video Streams settings: the `ice_servers` route of either WebSocket API reads them. */
export function iceSettings(env: Env): IceSettings {
  return {
    stunUrls: commaList(ENV.stunUrls, env[ENV.stunUrls]),
    turnUrls: commaList(ENV.turnUrls, env[ENV.turnUrls]),
    turnSecret: env[ENV.turnSecret] || undefined,
    turnSecretArn: optionalText(env, ENV.turnSecretArn),
    kvsChannelArns: commaList(ENV.kvsChannelArns, env[ENV.kvsChannelArns]),
  };
}

export function readConfig(env: Env = process.env): RuntimeConfig {
  const issuer = optionalText(env, ENV.tokenIssuer);
  const audience = optionalText(env, ENV.tokenAudience);
  return {
    connectionsTable: required(env, ENV.connectionsTable),
    callLogsTable: required(env, ENV.callLogsTable),
    profileSettingsTable: required(env, ENV.profileSettingsTable),
    whiteboardCallHistoryTable: optionalText(env, ENV.whiteboardCallHistoryTable),
    managementEndpoint: required(env, ENV.managementEndpoint),
    ringTimeoutSeconds: seconds(env, ENV.ringTimeoutSeconds, DEFAULT_RING_TIMEOUT_SECONDS),
    resumeGraceSeconds: seconds(env, ENV.resumeGraceSeconds, DEFAULT_RESUME_GRACE_SECONDS),
    livenessCheckSeconds: seconds(env, ENV.livenessCheckSeconds, DEFAULT_LIVENESS_CHECK_SECONDS),
    profileTypes: parseProfileTypes(env[ENV.profileTypes]),
    ...iceSettings(env),
    tokenPolicy: {
      maxLifetimeSeconds: positiveNumber(
        ENV.tokenMaxLifetimeSeconds,
        env[ENV.tokenMaxLifetimeSeconds],
        DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
        {
          integer: true,
        },
      ),
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    },
    rateLimits: rateLimits(env),
    socketsPerProfile: count(env, ENV.socketsPerProfile, DEFAULT_SOCKETS_PER_PROFILE),
    pairRings: {
      limit: count(env, ENV.pairRingLimit, DEFAULT_PAIR_RING_LIMIT),
      windowSeconds: seconds(env, ENV.pairRingWindowSeconds, DEFAULT_PAIR_RING_WINDOW_SECONDS),
    },
    callPolicy: parseCallPolicy(ENV.callPolicy, env[ENV.callPolicy]),
    callGrantMaxTtlSeconds: seconds(env, ENV.callGrantMaxTtlSeconds, DEFAULT_CALL_GRANT_MAX_TTL_SECONDS),
  };
}
