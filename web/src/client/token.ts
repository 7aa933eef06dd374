/**
 * Reads the claims of a sign-in token without verifying it: the server verifies; the client only
 * needs to know who it is (for the header) and when the token expires (to stop retrying with it).
 */
import * as v from 'valibot';
import { ProfileIdSchema, ProfileTypeSchema } from '../../../shared/protocol';

const ClaimsSchema = v.object({
  profile_id: ProfileIdSchema,
  profile_type: ProfileTypeSchema,
  name: v.string(),
  avatar: v.nullish(v.string()),
  exp: v.optional(v.number()),
});

export type TokenClaims = v.InferOutput<typeof ClaimsSchema>;

export function readTokenClaims(token: string): TokenClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const result = v.safeParse(ClaimsSchema, JSON.parse(new TextDecoder().decode(bytes)));
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token carries an `exp` claim that has passed (with a little slack for clock skew). */
export function isTokenExpired(token: string, nowMs = Date.now(), skewMs = 5_000): boolean {
  const exp = readTokenClaims(token)?.exp;
  return exp !== undefined && exp * 1000 + skewMs < nowMs;
}
