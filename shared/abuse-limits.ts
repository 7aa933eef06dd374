/**
 * The abuse limits a deployment may set, defined once: each is a handler environment variable (its
 * default in `shared/limits.ts`), a CDK context key of the same name, and for some an `npm start`
 * flag. Unset ones are not written anywhere, so the handlers' defaults apply.
 */
import { ENV, type EnvName } from './env';
import { positiveNumber } from './settings';

export const ABUSE_LIMIT_SETTINGS = {
  socketsPerProfile: { env: ENV.socketsPerProfile, integer: true },
  offersPerSecond: { env: ENV.rateLimitOffers, integer: false },
  candidatesPerSecond: { env: ENV.rateLimitCandidates, integer: false },
  otherPerSecond: { env: ENV.rateLimitOther, integer: false },
  profileOffersPerSecond: { env: ENV.profileRateLimitOffers, integer: false },
  profileOffersBurst: { env: ENV.profileRateLimitOffersBurst, integer: true },
  lookupsPerSecond: { env: ENV.rateLimitLookups, integer: false },
  lookupsBurst: { env: ENV.rateLimitLookupsBurst, integer: true },
  pairRingLimit: { env: ENV.pairRingLimit, integer: true },
  pairRingWindowSeconds: { env: ENV.pairRingWindowSeconds, integer: false },
} as const satisfies Record<string, { env: EnvName; integer: boolean }>;

export type AbuseLimitName = keyof typeof ABUSE_LIMIT_SETTINGS;
export type AbuseLimitSettings = Partial<Record<AbuseLimitName, number>>;

export const ABUSE_LIMIT_NAMES = Object.keys(ABUSE_LIMIT_SETTINGS) as AbuseLimitName[];

/** The given limits, each checked (a positive number; whole where it counts things), by name. */
export function readAbuseLimits(describe: (name: AbuseLimitName) => string, read: (name: AbuseLimitName) => unknown): AbuseLimitSettings {
  const settings: AbuseLimitSettings = {};
  for (const name of ABUSE_LIMIT_NAMES) {
    const value = read(name);
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    settings[name] = positiveNumber(describe(name), value, Number.NaN, { integer: ABUSE_LIMIT_SETTINGS[name].integer });
  }
  return settings;
}

/** The handler environment variables of the given limits. */
export function abuseLimitEnvironment(settings: AbuseLimitSettings): Partial<Record<EnvName, string>> {
  const environment: Partial<Record<EnvName, string>> = {};
  for (const name of ABUSE_LIMIT_NAMES) {
    const value = settings[name];
    if (value !== undefined) environment[ABUSE_LIMIT_SETTINGS[name].env] = String(value);
  }
  return environment;
}
