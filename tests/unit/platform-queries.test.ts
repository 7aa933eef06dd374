/** The platform API's pure rules: how long a minted grant lives, and which profile types it may name. */
import { describe, expect, it } from 'vitest';
import { GrantTtlTooLong, grantTtlSeconds, requireKnownProfileTypes } from '../../lambdas/core/platform-queries';
import { DEFAULT_CALL_GRANT_TTL_SECONDS } from '../../shared/limits';

describe('a minted grant’s lifetime', () => {
  it('is the default, or the deployment’s maximum when that is shorter', () => {
    expect(grantTtlSeconds({}, 3_600)).toBe(DEFAULT_CALL_GRANT_TTL_SECONDS);
    expect(grantTtlSeconds({}, 60)).toBe(60);
  });

  it('is what the platform asks, up to the maximum the invitation would accept', () => {
    expect(grantTtlSeconds({ ttl_seconds: 30 }, 300)).toBe(30);
    expect(grantTtlSeconds({ ttl_seconds: 300 }, 300)).toBe(300);
    expect(() => grantTtlSeconds({ ttl_seconds: 301 }, 300)).toThrow(GrantTtlTooLong);
  });
});

describe('profile types', () => {
  it('must be ones the deployment knows', () => {
    expect(() => requireKnownProfileTypes(['tutor', 'student'], ['tutor', 'student'])).not.toThrow();
    expect(() => requireKnownProfileTypes(['tutor', 'robot'], ['tutor', 'student'])).toThrow(
      expect.objectContaining({ code: 'invalid_message', message: 'Unknown profile type "robot"' }),
    );
  });
});
