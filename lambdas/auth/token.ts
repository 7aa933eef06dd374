/** Signing and verifying the connect token (JWT, HS256) with jose. */
import { SignJWT, jwtVerify, errors } from 'jose';
import * as v from 'valibot';
import { TokenClaimsSchema, type Identity, type TokenClaims } from '../../shared/identity';

const ALGORITHM = 'HS256';
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export type TokenFailure = 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims';

export class TokenError extends Error {
  constructor(
    readonly failure: TokenFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const encodeSecret = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export async function signToken(
  secret: string,
  claims: TokenClaims,
  ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const valid = v.parse(TokenClaimsSchema, claims);
  const expiresAt = new Date(Math.floor(Date.now() / 1000 + ttlSeconds) * 1000);
  const token = await new SignJWT({ ...valid })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(encodeSecret(secret));
  return { token, expiresAt };
}

/** Verifies signature, algorithm (HS256 only, so `alg: none` is refused), expiry and claims. */
export async function verifyToken(secret: string, token: string): Promise<Identity> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, encodeSecret(secret), { algorithms: [ALGORITHM], requiredClaims: ['exp'] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError('expired', 'The token has expired');
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new TokenError('bad_signature', 'The token signature is invalid');
    if (error instanceof errors.JWTClaimValidationFailed) throw new TokenError('invalid_claims', error.message);
    throw new TokenError('malformed', 'The token is malformed or uses another algorithm');
  }
  const claims = v.safeParse(TokenClaimsSchema, payload);
  if (!claims.success) throw new TokenError('invalid_claims', 'The token lacks the profile claims');
  const { profile_id, profile_type, name, avatar, user_id } = claims.output;
  return {
    profileId: profile_id,
    profileType: profile_type,
    name,
    avatar: avatar ?? null,
    userId: user_id === undefined || user_id === null ? null : String(user_id),
  };
}
