/** Token lifecycle rules: the connect-time policy, when a socket's token counts as expired, and how long its record is kept. */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, withinMaxLifetime } from '../../lambdas/auth/token';
import { readConfig } from '../../lambdas/runtime/config';
import { socketRecordExpiry, tokenHasExpired } from '../../lambdas/runtime/token-expiry';
import { ENV } from '../../shared/env';
import { identityFromContext, identityToContext, tokenExpiryFromContext } from '../../shared/identity';
import { DEFAULT_TOKEN_MAX_LIFETIME_SECONDS, IDLE_TIMEOUT_SECONDS, MAX_CONNECTION_SECONDS } from '../../shared/limits';

const secret = 'unit-test-secret-unit-test-secret';
const claims = { profile_id: 456, profile_type: 'student', name: 'John Doe' };
const HOUR = 60 * 60;

describe('the maximum token lifetime', () => {
  it('accepts exp − iat up to the maximum, and refuses longer or a token that does not say when it was issued', () => {
    expect(withinMaxLifetime(1_000, 1_000 + HOUR, HOUR)).toBe(true);
    expect(withinMaxLifetime(1_000, 1_000 + HOUR + 1, HOUR)).toBe(false);
    expect(withinMaxLifetime(undefined, 1_000, HOUR)).toBe(false);
    expect(withinMaxLifetime('1000', 1_000, HOUR)).toBe(false);
  });

  it('refuses at verification a token longer-lived than the policy allows, or without iat', async () => {
    const { token } = await signToken(secret, claims, 2 * HOUR);
    await expect(verifyToken(secret, token, { maxLifetimeSeconds: HOUR })).rejects.toMatchObject({ failure: 'too_long_lived' });
    const noIat = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret));
    await expect(verifyToken(secret, noIat, { maxLifetimeSeconds: HOUR })).rejects.toMatchObject({ failure: 'too_long_lived' });
  });

  it('refuses a token dated in the future to stretch its life past the maximum from now', async () => {
    const now = Math.floor(Date.now() / 1000);
    const postdated = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now + 365 * 24 * HOUR)
      .setExpirationTime(now + 365 * 24 * HOUR + HOUR)
      .sign(new TextEncoder().encode(secret));
    await expect(verifyToken(secret, postdated, { maxLifetimeSeconds: HOUR })).rejects.toMatchObject({ failure: 'too_long_lived' });
  });

  it('passes the tokens the token command and the dev login mint by default (12 h) under the default maximum', async () => {
    const { token, expiresAt } = await signToken(secret, claims);
    const verified = await verifyToken(secret, token, { maxLifetimeSeconds: DEFAULT_TOKEN_MAX_LIFETIME_SECONDS });
    expect(verified).toMatchObject({ profileId: 456, expiresAt: expiresAt.getTime() / 1000 });
  });
});

describe('issuer and audience', () => {
  const policy = { issuer: 'https://platform.example.test', audience: 'callsignal' };

  it('accepts a token that carries both, and refuses one missing or mismatching either', async () => {
    await expect(verifyToken(secret, (await signToken(secret, claims, HOUR, policy)).token, policy)).resolves.toMatchObject({
      profileId: 456,
    });
    for (const minted of [{}, { issuer: policy.issuer }, { audience: policy.audience }, { ...policy, audience: 'other' }]) {
      await expect(verifyToken(secret, (await signToken(secret, claims, HOUR, minted)).token, policy)).rejects.toMatchObject({
        failure: 'invalid_claims',
      });
    }
  });

  it('are not checked when the deployment sets neither', async () => {
    await expect(verifyToken(secret, (await signToken(secret, claims, HOUR, policy)).token)).resolves.toMatchObject({ profileId: 456 });
  });

  it('are read from the environment, blank meaning unset, with the default maximum lifetime', () => {
    const base = {
      [ENV.connectionsTable]: 'c',
      [ENV.callLogsTable]: 'l',
      [ENV.profileSettingsTable]: 's',
      [ENV.managementEndpoint]: 'http://127.0.0.1:1/live',
    };
    expect(readConfig(base).tokenPolicy).toEqual({ maxLifetimeSeconds: DEFAULT_TOKEN_MAX_LIFETIME_SECONDS });
    expect(
      readConfig({ ...base, [ENV.tokenMaxLifetimeSeconds]: '3600', [ENV.tokenIssuer]: ' iss ', [ENV.tokenAudience]: '' }).tokenPolicy,
    ).toEqual({
      maxLifetimeSeconds: 3600,
      issuer: 'iss',
    });
    expect(() => readConfig({ ...base, [ENV.tokenMaxLifetimeSeconds]: '1.5' })).toThrow(ENV.tokenMaxLifetimeSeconds);
  });
});

describe('the token expiry a socket carries', () => {
  const identity = { profileId: 456, profileType: 'student', name: 'John Doe', avatar: null, userId: null };

  it('travels in the authorizer context, as a number or as text, beside the identity', () => {
    const context = identityToContext(identity, 1_700_000_000);
    expect(tokenExpiryFromContext({ ...context })).toBe(1_700_000_000);
    expect(tokenExpiryFromContext({ ...context, tokenExpiresAt: '1700000000' })).toBe(1_700_000_000);
    expect(tokenExpiryFromContext({ profileId: '1' })).toBeUndefined();
    expect(identityFromContext({ ...context })).toEqual(identity);
  });

  it('has expired from its exp second on, and never for a socket that carries none', () => {
    expect(tokenHasExpired(1_000, 999_999)).toBe(false);
    expect(tokenHasExpired(1_000, 1_000_000)).toBe(true);
    expect(tokenHasExpired(undefined, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('caps the socket record at the 2 h connection cap, or at the token expiry plus the idle timeout when that comes first', () => {
    const nowMs = 1_000_000_000;
    const capped = nowMs / 1000 + MAX_CONNECTION_SECONDS + 5 * 60;
    expect(socketRecordExpiry(nowMs, undefined)).toBe(capped);
    expect(socketRecordExpiry(nowMs, nowMs / 1000 + 12 * HOUR)).toBe(capped);
    expect(socketRecordExpiry(nowMs, nowMs / 1000 + 60)).toBe(nowMs / 1000 + 60 + IDLE_TIMEOUT_SECONDS);
  });
});
