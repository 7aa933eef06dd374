/** Profiles: who calls whom. A profile is addressed by its key `{profile_type}_{profile_id}`. */
import { commaList } from './settings';

export const DEFAULT_PROFILE_TYPES = ['tutor', 'student', 'parent', 'advertiser'] as const;

/** Profile types are lowercase words without `_`, so the key splits unambiguously at its first `_`. */
export const PROFILE_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const PROFILE_ID_MAX_LENGTH = 64;
/**
 * Profile ids are numbers or short opaque strings; they are compared by their string form. The `-`
 * is escaped so the source also compiles with the `v` flag, as browsers compile an HTML `pattern`.
 */
export const PROFILE_ID_PATTERN = new RegExp(`^[A-Za-z0-9._:@\\-]{1,${PROFILE_ID_MAX_LENGTH}}$`);
/** Ids of up to 15 digits are numbers on the platform (every such number is exact in a double). */
const NUMERIC_PROFILE_ID_PATTERN = /^\d{1,15}$/;

export type ProfileId = string | number;

/** The id a person typed: digits become a number, as the platform's ids are and the server stamps them back. */
export function profileIdFromInput(text: string): ProfileId {
  const id = text.trim();
  return NUMERIC_PROFILE_ID_PATTERN.test(id) ? Number(id) : id;
}

export interface ProfileRef {
  profile_id: ProfileId;
  profile_type: string;
}

export type ProfileKey = string & { readonly __brand: 'ProfileKey' };

export function profileKey(profileType: string, profileId: ProfileId): ProfileKey {
  return `${profileType}_${String(profileId)}` as ProfileKey;
}

export function sameProfile(a: ProfileRef, b: ProfileRef): boolean {
  return profileKey(a.profile_type, a.profile_id) === profileKey(b.profile_type, b.profile_id);
}

export function parseProfileKey(key: string): { profile_type: string; profile_id: string } | undefined {
  const separator = key.indexOf('_');
  if (separator <= 0 || separator === key.length - 1) return undefined;
  return { profile_type: key.slice(0, separator), profile_id: key.slice(separator + 1) };
}

/** Parses a comma-separated list of profile types (the deployment's setting), falling back to the defaults. */
export function parseProfileTypes(setting: string | undefined): readonly string[] {
  const types = commaList('profile types', setting);
  for (const type of types) {
    if (!PROFILE_TYPE_PATTERN.test(type)) throw new Error(`Invalid profile type in settings: "${type}"`);
  }
  return types.length > 0 ? types : DEFAULT_PROFILE_TYPES;
}
