import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_CONFIG_FILE, HASHED_ASSETS_DIR } from '../../infra/aws/web-hosting';
import { resourcesOfType, synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({ stunUrls: ['stun:stun.example.net:3478'] });
});
afterAll(() => synth?.cleanup());

const bucketId = () => synth.logicalId(synth.stack.web.bucket);
const distribution = () => {
  const id = synth.logicalId(synth.stack.web.distribution);
  return resourcesOfType(synth.template, 'AWS::CloudFront::Distribution')[id]!.Properties.DistributionConfig as Record<string, unknown>;
};

interface PolicyStatement {
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

describe('web hosting', () => {
  it('keeps the bucket private, encrypted and TLS-only', () => {
    const bucket = resourcesOfType(synth.template, 'AWS::S3::Bucket')[bucketId()]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('"SSEAlgorithm"');
    expect(bucket.WebsiteConfiguration).toBeUndefined();

    const policy = Object.values(resourcesOfType(synth.template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: bucketId() }),
    )!;
    const statements = (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // Nobody outside the account reads it except CloudFront, and only for this distribution.
    for (const statement of statements.filter((candidate) => candidate.Effect === 'Allow')) {
      expect(JSON.stringify(statement.Principal)).not.toBe(JSON.stringify({ AWS: '*' }));
      expect(statement.Principal).not.toBe('*');
      if (JSON.stringify(statement.Principal).includes('cloudfront.amazonaws.com')) {
        expect(JSON.stringify(statement.Condition)).toContain(synth.logicalId(synth.stack.web.distribution));
      }
    }
  });

  it('serves it through CloudFront with origin access control, HTTPS only, index.html at the root', () => {
    const config = distribution();
    expect(config.DefaultRootObject).toBe('index.html');
    const [origin] = config.Origins as Array<Record<string, unknown>>;
    expect(origin!.OriginAccessControlId).toBeDefined();
    expect(origin!.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(Object.keys(resourcesOfType(synth.template, 'AWS::CloudFront::OriginAccessControl'))).toHaveLength(1);
    synth.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https' });
  });

  it('adds security headers, with the signaling API as the only socket origin', () => {
    const policies = Object.values(resourcesOfType(synth.template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(1);
    const headers = (
      policies[0]!.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }
    ).SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ Override: true });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    const csp = JSON.stringify(headers.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(synth.logicalId(synth.stack.api.api));
    const [policyId] = Object.keys(resourcesOfType(synth.template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(distribution().DefaultCacheBehavior).toMatchObject({ ResponseHeadersPolicyId: { Ref: policyId } });
  });

  it('uploads hashed assets as immutable, and the page with a generated config.json holding the stage wss:// URL', () => {
    const deployments = Object.values(resourcesOfType(synth.template, 'Custom::CDKBucketDeployment')).map(
      (deployment) => deployment.Properties,
    );
    expect(deployments).toHaveLength(2);
    for (const props of deployments) expect(props.DestinationBucketName).toEqual({ Ref: bucketId() });
    const assets = deployments.find((props) => props.DestinationBucketKeyPrefix === `${HASHED_ASSETS_DIR}/`)!;
    expect(assets.SystemMetadata).toEqual({ 'cache-control': 'public, max-age=31536000, immutable' });
    expect(assets.Prune).toBe(false);
    const page = deployments.find((props) => props !== assets)!;
    expect(page.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(page.Exclude).toEqual([`${HASHED_ASSETS_DIR}/*`]);
    expect(page.DistributionPaths).toEqual(['/*']);

    // The generated file is an asset of its own; its tokens are filled in at deploy time from the markers.
    const keys = page.SourceObjectKeys as string[];
    const markers = page.SourceMarkers as Array<Record<string, unknown>>;
    const assetDir = (key: string) => join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    const index = keys.findIndex((key) => existsSync(join(assetDir(key), CLIENT_CONFIG_FILE)));
    expect(index).toBeGreaterThanOrEqual(0);
    const config = JSON.parse(readFileSync(join(assetDir(keys[index]!), CLIENT_CONFIG_FILE), 'utf8')) as {
      websocketUrl: string;
      devLogin: boolean;
      iceServers: unknown;
    };
    expect(config.websocketUrl).toMatch(/^wss:\/\/<<marker:0xbaba:\d+>>\.execute-api\.<<marker:0xbaba:\d+>>\.<<marker:0xbaba:\d+>>\/live$/);
    expect(config.devLogin).toBe(false);
    expect(config.iceServers).toEqual([{ urls: ['stun:stun.example.net:3478'] }]);
    const apiMarker = /^wss:\/\/(<<marker:0xbaba:\d+>>)/.exec(config.websocketUrl)![1]!;
    expect(markers[index]![apiMarker]).toEqual({ Ref: synth.logicalId(synth.stack.api.api) });
    // The page's own files leave the hashed assets to the other deployment.
    const pageFiles = keys.filter((_, i) => i !== index).flatMap((key) => readdirSync(assetDir(key)));
    expect(pageFiles).toEqual(['index.html']);
  });
});
