/** Call grants: what the platform mints verifies, and nothing else passes, connect tokens included. */
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCallGrant, verifyCallGrant } from '../../lambdas/auth/call-grant';
import { signToken, verifyToken } from '../../lambdas/auth/token';

const secret = 'unit-test-secret-unit-test-secret';
const key = new TextEncoder().encode(secret);
const MAX_TTL = 300;
const claims = {
  caller: { profile_id: 456, profile_type: 'student' },
  callee: { profile_id: 42, profile_type: 'tutor' },
  conversation_id: 9001,
};
const now = () => Math.floor(Date.now() / 1000);

describe('call grants', () => {
  it('round-trips caller, callee, conversation and call type', async () => {
    const { grant } = await signCallGrant(secret, { ...claims, call_type: 'voice' });
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({
      kind: 'verified',
      grant: { caller: claims.caller, callee: claims.callee, conversationId: 9001, callType: 'voice' },
    });
  });

  it('verifies a grant minted by any JWT library with the documented claims', async () => {
    const grant = await new SignJWT({ typ: 'call_grant', ...claims, conversation_id: 'c-17' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toMatchObject({ kind: 'verified', grant: { conversationId: 'c-17' } });
  });

  it('refuses one signed with another secret', async () => {
    const { grant } = await signCallGrant('another-secret-another-secret-xx', claims);
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'bad_signature' });
  });

  it('refuses an expired one', async () => {
    const { grant } = await signCallGrant(secret, claims, 60, new Date(Date.now() - 120_000));
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'expired' });
  });

  it('refuses one that lives longer than the deployment allows', async () => {
    const { grant } = await signCallGrant(secret, claims, MAX_TTL + 1);
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'too_long_lived' });
  });

  it('refuses one issued in the future, which would outlive its stated lifetime', async () => {
    const { grant } = await signCallGrant(secret, claims, 60, new Date(Date.now() + 3_600_000));
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'too_long_lived' });
  });

  it('refuses one without iat, since its lifetime cannot be told', async () => {
    const grant = await new SignJWT({ typ: 'call_grant', ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now() + 60)
      .sign(key);
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'invalid_claims' });
  });

  it('refuses an unsigned one (alg none) and one that is not a JWT', async () => {
    const unsigned = new UnsecuredJWT({ typ: 'call_grant', ...claims }).setIssuedAt().setExpirationTime('1m').encode();
    await expect(verifyCallGrant(secret, unsigned, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'malformed' });
    await expect(verifyCallGrant(secret, 'not-a-jwt', MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'malformed' });
  });

  it('refuses a connect token used as a grant', async () => {
    const { token } = await signToken(secret, { profile_id: 456, profile_type: 'student', name: 'John Doe' }, 60);
    await expect(verifyCallGrant(secret, token, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'invalid_claims' });
  });

  it('refuses a grant without a conversation, or with another typ', async () => {
    const noConversation = await new SignJWT({ typ: 'call_grant', caller: claims.caller, callee: claims.callee })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    const otherTyp = await new SignJWT({ ...claims, typ: 'connect' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    for (const grant of [noConversation, otherTyp]) {
      await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toEqual({ kind: 'invalid', failure: 'invalid_claims' });
    }
  });

  it('carries the deployment’s iss and aud when it sets them, and then refuses a grant without them or with others', async () => {
    const deployment = { issuer: 'https://platform.example', audience: 'callsignal' };
    const { grant } = await signCallGrant(secret, claims, 60, new Date(), deployment);
    await expect(verifyCallGrant(secret, grant, MAX_TTL, new Date(), deployment)).resolves.toMatchObject({ kind: 'verified' });
    const { grant: plain } = await signCallGrant(secret, claims, 60);
    await expect(verifyCallGrant(secret, plain, MAX_TTL, new Date(), deployment)).resolves.toEqual({
      kind: 'invalid',
      failure: 'invalid_claims',
    });
    const { grant: foreign } = await signCallGrant(secret, claims, 60, new Date(), { ...deployment, audience: 'another-service' });
    await expect(verifyCallGrant(secret, foreign, MAX_TTL, new Date(), deployment)).resolves.toEqual({
      kind: 'invalid',
      failure: 'invalid_claims',
    });
    // Unset, neither is checked.
    await expect(verifyCallGrant(secret, grant, MAX_TTL)).resolves.toMatchObject({ kind: 'verified' });
  });

  it('is never accepted as a connect token', async () => {
    const { grant } = await signCallGrant(secret, claims);
    await expect(verifyToken(secret, grant)).rejects.toMatchObject({ failure: 'invalid_claims' });
  });
});
