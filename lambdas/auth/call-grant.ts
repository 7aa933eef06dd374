/**
 * Call grants: short-lived JWTs (HS256, the deployment's signing secret) that the platform's backend
 * mints for one caller, one callee and one conversation. The `typ` claim keeps them apart from
 * connect tokens: a connect token never passes as a grant, and a grant lacks a connect token's claims.
 */
import { SignJWT, errors, jwtVerify } from 'jose';
import * as v from 'valibot';
import { CALL_GRANT_TYPE } from '../../shared/call-policy';
import { CALL_GRANT_CLOCK_SKEW_SECONDS, DEFAULT_CALL_GRANT_TTL_SECONDS } from '../../shared/limits';
import { CallTypeSchema, GrantConversationIdSchema, ProfileRefSchema } from '../../shared/protocol';
import type { GrantCheck, GrantFailure } from '../core/call-policy';
import type { TokenPolicy } from './token';

const ALGORITHM = 'HS256';

export const CallGrantClaimsSchema = v.object({
  typ: v.literal(CALL_GRANT_TYPE),
  caller: ProfileRefSchema,
  callee: ProfileRefSchema,
  conversation_id: GrantConversationIdSchema,
  call_type: v.optional(CallTypeSchema),
});
/** What the platform puts in a grant, besides `iat` and `exp`. */
export type CallGrantClaims = v.InferOutput<typeof CallGrantClaimsSchema>;

const LifetimeSchema = v.object({ iat: v.number(), exp: v.number() });

const encodeSecret = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** The `iss` / `aud` a deployment asks of its tokens (`TOKEN_ISSUER`, `TOKEN_AUDIENCE`): grants carry them too. */
export type GrantIssuance = Pick<TokenPolicy, 'issuer' | 'audience'>;

export async function signCallGrant(
  secret: string,
  claims: Omit<CallGrantClaims, 'typ'>,
  ttlSeconds = DEFAULT_CALL_GRANT_TTL_SECONDS,
  now: Date = new Date(),
  { issuer, audience }: GrantIssuance = {},
): Promise<{ grant: string; expiresAt: Date }> {
  const valid = v.parse(CallGrantClaimsSchema, { ...claims, typ: CALL_GRANT_TYPE });
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + Math.round(ttlSeconds);
  const jwt = new SignJWT({ ...valid })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt);
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return { grant: await jwt.sign(encodeSecret(secret)), expiresAt: new Date(expiresAt * 1000) };
}

function failureOf(error: unknown): GrantFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTClaimValidationFailed) return 'invalid_claims';
  return 'malformed';
}

/**
 * Verifies signature (HS256 only, so `alg: none` is refused), expiry, the `typ`, the profiles and the
 * conversation, the deployment's `iss` and `aud` when it sets them, and that the grant lives no
 * longer than `maxTtlSeconds` (`exp` − `iat`) and was not issued in the future. Never throws: a bad
 * grant is a `GrantCheck` of kind `invalid`.
 */
export async function verifyCallGrant(
  secret: string,
  grant: string,
  maxTtlSeconds: number,
  now: Date = new Date(),
  { issuer, audience }: GrantIssuance = {},
): Promise<GrantCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(grant, encodeSecret(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ['exp', 'iat'],
      currentDate: now,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    }));
  } catch (error) {
    return { kind: 'invalid', failure: failureOf(error) };
  }
  const claims = v.safeParse(CallGrantClaimsSchema, payload);
  const lifetime = v.safeParse(LifetimeSchema, payload);
  if (!claims.success || !lifetime.success) return { kind: 'invalid', failure: 'invalid_claims' };
  const { iat, exp } = lifetime.output;
  const nowSeconds = now.getTime() / 1000;
  if (exp - iat > maxTtlSeconds || iat > nowSeconds + CALL_GRANT_CLOCK_SKEW_SECONDS) return { kind: 'invalid', failure: 'too_long_lived' };
  const { caller, callee, conversation_id, call_type } = claims.output;
  return {
    kind: 'verified',
    grant: { caller, callee, conversationId: conversation_id, ...(call_type !== undefined ? { callType: call_type } : {}) },
  };
}
