/**
 * Who a socket belongs to: the JWT claims a client connects with, and the authorizer context that
 * API Gateway (or the local gateway) attaches to every later event of that socket.
 */
import * as v from 'valibot';
import { MAX_NAME_CHARS, MAX_URL_CHARS } from './limits';
import { ProfileIdSchema, ProfileTypeSchema } from './protocol';
import type { ProfileId } from './profile';

export const TokenClaimsSchema = v.object({
  profile_id: ProfileIdSchema,
  profile_type: ProfileTypeSchema,
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_NAME_CHARS)),
  avatar: v.nullish(v.pipe(v.string(), v.url(), v.maxLength(MAX_URL_CHARS))),
  user_id: v.nullish(v.union([v.number(), v.pipe(v.string(), v.maxLength(64))])),
});
export type TokenClaims = v.InferOutput<typeof TokenClaimsSchema>;

/**
 * API Gateway passes authorizer context values as strings, numbers or booleans only, so ids travel
 * as strings and `profileIdKind` remembers whether the token held a number (stamped back as one).
 */
export interface AuthorizerContext {
  profileId: string;
  profileIdKind: 'number' | 'string';
  profileType: string;
  name: string;
  avatar: string;
  userId: string;
  /** When the socket's token expires (epoch seconds): messages after it close the socket. */
  tokenExpiresAt: number;
}

export interface Identity {
  profileId: ProfileId;
  profileType: string;
  name: string;
  avatar: string | null;
  userId: string | null;
}

export function identityToContext(identity: Identity, tokenExpiresAt: number): AuthorizerContext {
  return {
    tokenExpiresAt,
    profileId: String(identity.profileId),
    profileIdKind: typeof identity.profileId === 'number' ? 'number' : 'string',
    profileType: identity.profileType,
    name: identity.name,
    avatar: identity.avatar ?? '',
    userId: identity.userId ?? '',
  };
}

/**
 * When the socket's token expires (epoch seconds), whether the context carries it as a number or
 * as text; undefined for a context without it.
 */
export function tokenExpiryFromContext(context: Record<string, unknown> | null | undefined): number | undefined {
  const value = context?.tokenExpiresAt;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

const stringField = (record: Record<string, unknown>, key: keyof AuthorizerContext): string => {
  const value = record[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
};

/** Reads the identity back from an event's `requestContext.authorizer`; undefined when it is missing. */
export function identityFromContext(context: Record<string, unknown> | null | undefined): Identity | undefined {
  if (!context) return undefined;
  const profileId = stringField(context, 'profileId');
  const profileType = stringField(context, 'profileType');
  if (!profileId || !profileType) return undefined;
  const avatar = stringField(context, 'avatar');
  const userId = stringField(context, 'userId');
  return {
    profileId: stringField(context, 'profileIdKind') === 'number' ? Number(profileId) : profileId,
    profileType,
    name: stringField(context, 'name'),
    avatar: avatar || null,
    userId: userId || null,
  };
}
