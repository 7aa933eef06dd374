/** The handlers' settings, read from the environment once per container, failing fast. */
import { parseCallPolicy, type CallPolicy } from '../../shared/call-policy';
import { ENV } from '../../shared/env';
import {
  DEFAULT_CALL_GRANT_MAX_TTL_SECONDS,
  DEFAULT_LIVENESS_CHECK_SECONDS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
} from '../../shared/limits';
import { parseProfileTypes } from '../../shared/profile';
import { commaList, positiveNumber } from '../../shared/settings';
import type { TokenPolicy } from '../auth/token';
import type { CallSettings, IceSettings } from '../core/model';
import type { Rate, RateLimits } from '../core/rate-limiter';

export interface RuntimeConfig extends CallSettings, IceSettings {
  connectionsTable: string;
  callLogsTable: string;
  profileSettingsTable: string;
  managementEndpoint: string;
  rateLimits: RateLimits;
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

/** A configured rate keeps the default's ratio of burst to rate. */
function rate(env: Env, name: string, fallback: Rate): Rate {
  const perSecond = positiveNumber(name, env[name], fallback.perSecond);
  return { perSecond, burst: Math.max(1, Math.round((perSecond * fallback.burst) / fallback.perSecond)) };
}

export function readConfig(env: Env = process.env): RuntimeConfig {
  const issuer = optionalText(env, ENV.tokenIssuer);
  const audience = optionalText(env, ENV.tokenAudience);
  return {
    connectionsTable: required(env, ENV.connectionsTable),
    callLogsTable: required(env, ENV.callLogsTable),
    profileSettingsTable: required(env, ENV.profileSettingsTable),
    managementEndpoint: required(env, ENV.managementEndpoint),
    ringTimeoutSeconds: seconds(env, ENV.ringTimeoutSeconds, DEFAULT_RING_TIMEOUT_SECONDS),
    resumeGraceSeconds: seconds(env, ENV.resumeGraceSeconds, DEFAULT_RESUME_GRACE_SECONDS),
    livenessCheckSeconds: seconds(env, ENV.livenessCheckSeconds, DEFAULT_LIVENESS_CHECK_SECONDS),
    profileTypes: parseProfileTypes(env[ENV.profileTypes]),
    stunUrls: commaList(ENV.stunUrls, env[ENV.stunUrls]),
    turnUrls: commaList(ENV.turnUrls, env[ENV.turnUrls]),
    turnSecret: env[ENV.turnSecret] || undefined,
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
    rateLimits: {
      offers: rate(env, ENV.rateLimitOffers, DEFAULT_RATE_LIMITS.offers),
      candidates: rate(env, ENV.rateLimitCandidates, DEFAULT_RATE_LIMITS.candidates),
      other: rate(env, ENV.rateLimitOther, DEFAULT_RATE_LIMITS.other),
    },
    callPolicy: parseCallPolicy(ENV.callPolicy, env[ENV.callPolicy]),
    callGrantMaxTtlSeconds: seconds(env, ENV.callGrantMaxTtlSeconds, DEFAULT_CALL_GRANT_MAX_TTL_SECONDS),
  };
}
