import { describe, expect, it } from 'vitest';
import { DEFAULT_STACK_NAME, readAppSettings } from '../../infra/aws/app-settings';
import {
  DEFAULT_LIVENESS_CHECK_SECONDS,
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
} from '../../shared/limits';

const from = (context: Record<string, unknown>) => readAppSettings((key) => context[key]);

describe('app settings from context', () => {
  it('default to a kept stack with the shared call timers', () => {
    expect(from({})).toEqual({
      stackName: DEFAULT_STACK_NAME,
      stageName: 'live',
      webDist: 'web/dist',
      retainData: true,
      ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS,
      resumeGraceSeconds: DEFAULT_RESUME_GRACE_SECONDS,
      livenessCheckSeconds: DEFAULT_LIVENESS_CHECK_SECONDS,
      profileTypes: undefined,
      stunUrls: undefined,
      turn: { kind: 'none' },
      alarmTopicArn: undefined,
      bundleAwsSdk: false,
      manageAccountLogRole: true,
      tokenMaxLifetimeSeconds: DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
      tokenIssuer: undefined,
      tokenAudience: undefined,
      abuseLimits: {},
      functionLayout: 'per-route',
    });
  });

  it('take only the abuse limits given (the handlers keep their defaults for the rest), checked by kind', () => {
    expect(
      from({ socketsPerProfile: '5', pairRingLimit: 2, pairRingWindowSeconds: '300', profileOffersPerSecond: '0.2' }).abuseLimits,
    ).toEqual({
      socketsPerProfile: 5,
      pairRingLimit: 2,
      pairRingWindowSeconds: 300,
      profileOffersPerSecond: 0.2,
    });
    expect(() => from({ socketsPerProfile: '2.5' })).toThrow(/socketsPerProfile" must be a positive whole number/);
    expect(() => from({ pairRingLimit: '0' })).toThrow(/pairRingLimit/);
    expect(() => from({ lookupsPerSecond: 'fast' })).toThrow(/lookupsPerSecond/);
  });

  it('take the token lifetime, issuer and audience the authorizer checks', () => {
    expect(from({ tokenMaxLifetimeSeconds: '3600', tokenIssuer: 'https://platform.example', tokenAudience: 'callsignal' })).toMatchObject({
      tokenMaxLifetimeSeconds: 3600,
      tokenIssuer: 'https://platform.example',
      tokenAudience: 'callsignal',
    });
    expect(() => from({ tokenMaxLifetimeSeconds: 'a day' })).toThrow('tokenMaxLifetimeSeconds');
  });

  it('accept -c strings and cdk.json values alike', () => {
    expect(from({ retainData: 'false', ringTimeoutSeconds: '30', stunUrls: 'stun:a.example:3478, stun:b.example:3478' })).toMatchObject({
      retainData: false,
      ringTimeoutSeconds: 30,
      stunUrls: ['stun:a.example:3478', 'stun:b.example:3478'],
    });
    expect(from({ retainData: false, resumeGraceSeconds: 90, livenessCheckSeconds: 45, profileTypes: ['tutor', 'student'] })).toMatchObject(
      {
        retainData: false,
        resumeGraceSeconds: 90,
        livenessCheckSeconds: 45,
        profileTypes: ['tutor', 'student'],
      },
    );
  });

  it('take the principal that may assume the platform API role, refusing what is no IAM principal ARN', () => {
    expect(from({}).platformPrincipalArn).toBeUndefined();
    for (const arn of ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:role/backend', 'arn:aws:iam::123456789012:user/ci']) {
      expect(from({ platformPrincipalArn: arn }).platformPrincipalArn).toBe(arn);
    }
    expect(() => from({ platformPrincipalArn: '123456789012' })).toThrow(/platformPrincipalArn/);
    expect(() => from({ platformPrincipalArn: 'arn:aws:s3:::bucket' })).toThrow(/platformPrincipalArn/);
  });

  it('refuse values that would deploy something else than meant, naming the key', () => {
    expect(() => from({ retainData: 'no' })).toThrow(/retainData/);
    expect(() => from({ ringTimeoutSeconds: '-5' })).toThrow(/ringTimeoutSeconds/);
    expect(() => from({ livenessCheckSeconds: '0' })).toThrow(/livenessCheckSeconds/);
    expect(() => from({ stackName: '1-bad_name' })).toThrow(/stackName/);
    expect(() => from({ stunUrls: 42 })).toThrow(/stunUrls/);
  });
});
