/** Signing and verifying the connect token (JWT, HS256) with jose. */
import { SignJWT, jwtVerify, errors, type JWTPayload } from 'jose';
import * as v from 'valibot';
import { TokenClaimsSchema, type Identity, type TokenClaims } from '../../shared/identity';

const ALGORITHM = 'HS256';
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export type TokenFailure = 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims' | 'too_long_lived';

/** What a deployment asks of connect tokens beyond a valid signature and expiry. */
export interface TokenPolicy {
  /** The longest `exp − iat` accepted; a token without `iat` cannot show it is short-lived. */
  maxLifetimeSeconds?: number;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud` (one of the token's audiences), when set. */
  audience?: string;
}

/** Who the token says the socket is, and until when (epoch seconds) it may say so. */
export interface VerifiedToken extends Identity {
  expiresAt: number;
}

/** Whether a token issued at `iat` and expiring at `exp` (epoch seconds) is within the maximum lifetime. */
export function withinMaxLifetime(iat: unknown, exp: number, maxLifetimeSeconds: number): boolean {
  return typeof iat === 'number' && Number.isFinite(iat) && exp - iat <= maxLifetimeSeconds;
}

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
  { issuer, audience }: Pick<TokenPolicy, 'issuer' | 'audience'> = {},
): Promise<{ token: string; expiresAt: Date }> {
  const valid = v.parse(TokenClaimsSchema, claims);
  const expiresAt = new Date(Math.floor(Date.now() / 1000 + ttlSeconds) * 1000);
  const jwt = new SignJWT({ ...valid })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000));
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return { token: await jwt.sign(encodeSecret(secret)), expiresAt };
}

/**
 * Verifies signature, algorithm (HS256 only, so `alg: none` is refused), expiry, claims and the
 * policy's issuer, audience and maximum lifetime.
 */
export async function verifyToken(secret: string, token: string, policy: TokenPolicy = {}): Promise<VerifiedToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, encodeSecret(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ['exp'],
      ...(policy.issuer ? { issuer: policy.issuer } : {}),
      ...(policy.audience ? { audience: policy.audience } : {}),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError('expired', 'The token has expired');
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new TokenError('bad_signature', 'The token signature is invalid');
    if (error instanceof errors.JWTClaimValidationFailed) throw new TokenError('invalid_claims', error.message);
    throw new TokenError('malformed', 'The token is malformed or uses another algorithm');
  }
  // `requiredClaims` made jose check that `exp` is there and a number.
  const expiresAt = payload.exp ?? 0;
  // `iat` is the token's own word: one dated in the future must not buy a longer life than the maximum from now.
  const remainingSeconds = expiresAt - Math.floor(Date.now() / 1000);
  if (
    policy.maxLifetimeSeconds !== undefined &&
    (!withinMaxLifetime(payload.iat, expiresAt, policy.maxLifetimeSeconds) || remainingSeconds > policy.maxLifetimeSeconds)
  ) {
    throw new TokenError(
      'too_long_lived',
      `The token is valid for longer than ${policy.maxLifetimeSeconds} s, or does not say when it was issued`,
    );
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
    expiresAt,
  };
}
