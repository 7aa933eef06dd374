/**
 * Session grants: JWTs (HS256, the deployment's signing secret, the same `iss` / `aud` as call
 * grants) that the platform mints for one whiteboard session: its id, its tutor and its student,
 * good from a little before the window (`nbf`) until the window's end (`exp`). The `typ` keeps them
 * apart from connect tokens and call grants.
 */
import { SignJWT, errors, jwtVerify } from 'jose';
import * as v from 'valibot';
import { CALL_GRANT_CLOCK_SKEW_SECONDS, MAX_SESSION_WINDOW_SECONDS } from '../../shared/limits';
import { ProfileRefSchema } from '../../shared/protocol';
import { SessionIdSchema } from '../../shared/session-id';
import type { GrantIssuance } from './call-grant';

const ALGORITHM = 'HS256';
/** The `typ` claim of a session grant. */
export const SESSION_GRANT_TYPE = 'session';

export const SessionGrantClaimsSchema = v.object({
  typ: v.literal(SESSION_GRANT_TYPE),
  session_id: SessionIdSchema,
  tutor: ProfileRefSchema,
  student: ProfileRefSchema,
});
export type SessionGrantClaims = v.InferOutput<typeof SessionGrantClaimsSchema>;

const TimesSchema = v.object({ nbf: v.number(), exp: v.number() });

/** A verified grant: the session, its members and its window's end. */
export interface SessionGrant {
  sessionId: string;
  tutor: SessionGrantClaims['tutor'];
  student: SessionGrantClaims['student'];
  windowEndsAt: Date;
}

export type SessionGrantCheck = { kind: 'verified'; grant: SessionGrant } | { kind: 'invalid'; failure: string };

const encodeSecret = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export interface SessionWindow {
  /** The window's start; the grant is good `earlyJoinSeconds` before it. */
  startsAt: Date;
  endsAt: Date;
  earlyJoinSeconds: number;
}

export async function signSessionGrant(
  secret: string,
  claims: Omit<SessionGrantClaims, 'typ'>,
  window: SessionWindow,
  now: Date = new Date(),
  { issuer, audience }: GrantIssuance = {},
): Promise<{ grant: string; expiresAt: Date }> {
  const valid = v.parse(SessionGrantClaimsSchema, { ...claims, typ: SESSION_GRANT_TYPE });
  const notBefore = Math.floor(window.startsAt.getTime() / 1000 - window.earlyJoinSeconds);
  const expiresAt = Math.floor(window.endsAt.getTime() / 1000);
  const jwt = new SignJWT({ ...valid })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setNotBefore(notBefore)
    .setExpirationTime(expiresAt);
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return { grant: await jwt.sign(encodeSecret(secret)), expiresAt: new Date(expiresAt * 1000) };
}

function failureOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim === 'nbf' ? 'not_yet' : 'invalid_claims';
  return 'malformed';
}

/**
 * Verifies signature (HS256 only), `nbf` and `exp` (with the grants' clock skew), the `typ`, the
 * claims, the deployment's `iss` / `aud` when set, and a window no longer than the service takes.
 * Never throws.
 */
export async function verifySessionGrant(
  secret: string,
  grant: string,
  now: Date = new Date(),
  { issuer, audience }: GrantIssuance = {},
): Promise<SessionGrantCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(grant, encodeSecret(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ['exp', 'nbf'],
      currentDate: now,
      clockTolerance: CALL_GRANT_CLOCK_SKEW_SECONDS,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    }));
  } catch (error) {
    return { kind: 'invalid', failure: failureOf(error) };
  }
  const claims = v.safeParse(SessionGrantClaimsSchema, payload);
  const times = v.safeParse(TimesSchema, payload);
  if (!claims.success || !times.success) return { kind: 'invalid', failure: 'invalid_claims' };
  if (times.output.exp - times.output.nbf > MAX_SESSION_WINDOW_SECONDS * 2) return { kind: 'invalid', failure: 'too_long_lived' };
  const { session_id, tutor, student } = claims.output;
  return { kind: 'verified', grant: { sessionId: session_id, tutor, student, windowEndsAt: new Date(times.output.exp * 1000) } };
}
