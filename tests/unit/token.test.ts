import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../lambdas/auth/token';

const secret = 'unit-test-secret-unit-test-secret';
const claims = { profile_id: 456, profile_type: 'student', name: 'John Doe' };

describe('connect tokens', () => {
  it('round-trips the profile, keeping a numeric id numeric', async () => {
    const { token } = await signToken(secret, claims);
    await expect(verifyToken(secret, token)).resolves.toMatchObject({
      profileId: 456,
      profileType: 'student',
      name: 'John Doe',
      avatar: null,
    });
  });

  it('refuses a token signed with another secret', async () => {
    const { token } = await signToken('another-secret-another-secret-xx', claims);
    await expect(verifyToken(secret, token)).rejects.toMatchObject({ failure: 'bad_signature' });
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    await expect(verifyToken(secret, token)).rejects.toMatchObject({ failure: 'expired' });
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT(claims).setExpirationTime('1h').encode();
    await expect(verifyToken(secret, token)).rejects.toMatchObject({ failure: 'malformed' });
  });

  it('refuses a token without an expiry or without profile claims', async () => {
    const key = new TextEncoder().encode(secret);
    const noExp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);
    await expect(verifyToken(secret, noExp)).rejects.toMatchObject({ failure: 'invalid_claims' });
    const noProfile = await new SignJWT({ name: 'x' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    await expect(verifyToken(secret, noProfile)).rejects.toMatchObject({ failure: 'invalid_claims' });
  });
});
