/**
 * The browser call client: a private S3 bucket behind CloudFront (origin access control), the built
 * client uploaded from disk, and a generated `config.json` telling it where the WebSocket API is.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultStackSynthesizer, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { CLIENT_CONFIG_FILE, type ClientConfig } from '../../shared/client-config';
import { nagRef } from './nag';

/** Where the web build (`web/build.ts`) writes its content-hashed scripts and styles. */
export const HASHED_ASSETS_DIR = 'assets';
/** Build bookkeeping that has no business on the site. */
const LOCAL_ONLY_FILES = ['build.json'];

/** The file the client fetches at start-up, next to `index.html` (`shared/client-config.ts`). */
export { CLIENT_CONFIG_FILE };

export interface WebHostingProps {
  /** Directory holding the built client (`index.html` at its root). */
  readonly distPath: string;
  readonly clientConfig: ClientConfig;
  /** Origins the page may open sockets to (`connect-src`), e.g. `wss://{api}.execute-api.{region}.amazonaws.com`. */
  readonly connectSources: readonly string[];
}

export class WebHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Everything in it is rebuilt from `web/dist` on every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Call client: HSTS, CSP, no framing, no sniffing, camera and microphone for this origin only',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectSources), override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'camera=(self), microphone=(self), geolocation=()', override: true }],
      },
    });

    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'Call client',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // North America and Europe edges only: the cheapest class; other viewers are served from those.
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });

    const deployLogs = new LogGroup(this, 'DeployLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    // Content-hashed files never change under their name: browsers may keep them for a year. Old ones
    // are not pruned, so a page loaded just before a deploy still finds its scripts.
    const hashedDir = join(props.distPath, HASHED_ASSETS_DIR);
    const assets = existsSync(hashedDir)
      ? new BucketDeployment(this, 'DeployAssets', {
          sources: [Source.asset(hashedDir)],
          destinationBucket: this.bucket,
          destinationKeyPrefix: `${HASHED_ASSETS_DIR}/`,
          cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
          prune: false,
          logGroup: deployLogs,
        })
      : undefined;

    // The page and its config keep their names across deploys: browsers revalidate them (cheap 304s).
    const page = new BucketDeployment(this, 'DeployPage', {
      sources: [
        Source.asset(props.distPath, {
          exclude: [`${HASHED_ASSETS_DIR}`, `${HASHED_ASSETS_DIR}/**`, CLIENT_CONFIG_FILE, ...LOCAL_ONLY_FILES],
        }),
        Source.jsonData(CLIENT_CONFIG_FILE, props.clientConfig),
      ],
      destinationBucket: this.bucket,
      // Pruning here must not delete what the assets deployment owns.
      exclude: [`${HASHED_ASSETS_DIR}/*`],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      cacheControl: [CacheControl.noCache()],
      logGroup: deployLogs,
    });
    // A new page must never reference scripts that are not uploaded yet.
    if (assets) page.node.addDependency(assets);

    this.acknowledgeFindings();
    this.acknowledgeDeploymentFindings(page);
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  private acknowledgeDeploymentFindings(deployment: BucketDeployment): void {
    acknowledgeDeploymentFindingsOf(this, deployment, this.bucket);
  }

  private acknowledgeFindings(): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket is private and read only by CloudFront through origin access control; it holds the public client build, ' +
        'and who fetched it is not worth a second bucket of access logs.',
    });
    const cdn = Validations.of(this.distribution);
    cdn.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The call client is meant for every country the platform serves; there is nothing to geo-restrict.',
    });
    cdn.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves a few static files from a private bucket; a WAF web ACL costs more per month than the whole ' +
        'idle deployment and protects nothing here. The signaling API has its own stage throttling.',
    });
    cdn.acknowledge({
      id: 'AwsSolutions-CFR3',
      reason: 'Standard logging needs an ACL-enabled log bucket; requests for static files carry nothing to audit.',
    });
    cdn.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, where CloudFront fixes the minimum protocol; ' +
        'attach a custom domain and certificate to choose TLSv1.2_2021.',
    });
  }
}

/** The upload function is CDK's own singleton; these findings are about how CDK builds it. */
function acknowledgeDeploymentFindingsOf(scope: Construct, deployment: BucketDeployment, bucket: Bucket): void {
  const role = deployment.handlerRole;
  // The singleton function is the role's parent; it lives at stack level, outside this construct.
  const uploader: IConstruct | undefined = role.node.scope;
  const qualifier =
    (scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const findings: Array<[string, string]> = [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Writes its own logs only.',
    ],
    ...['GetBucket*', 'GetObject*', 'List*'].map((action): [string, string] => [
      `AwsSolutions-IAM5[Action::s3:${action}]`,
      'CDK grants read on the staging bucket and read/write on the site bucket to copy the built client; both are scoped to those buckets.',
    ]),
    ...['Abort*', 'DeleteObject*'].map((action): [string, string] => [
      `AwsSolutions-IAM5[Action::s3:${action}]`,
      'Replacing the client build deletes stale files (prune); limited to the site bucket.',
    ]),
    [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
      'Reads the zipped client from the CDK staging bucket, whose object keys are content hashes.',
    ],
    [`AwsSolutions-IAM5[Resource::${nagRef(bucket, 'Arn')}/*]`, 'Writes every file of the client build into the site bucket.'],
    ['AwsSolutions-IAM5[Resource::*]', 'cloudfront:CreateInvalidation/GetInvalidation do not support resource-level permissions.'],
  ];
  for (const [id, reason] of findings) Validations.of(role).acknowledge({ id, reason });
  if (uploader) {
    Validations.of(uploader).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib and moves with it.",
    });
  }
}

/**
 * Everything from this origin, sockets to the signaling API, avatars from any HTTPS host, and
 * local media. WebRTC traffic (STUN/TURN, peer media) is not governed by CSP.
 */
function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`,
    "img-src 'self' data: https:",
    "media-src 'self' blob: mediastream:",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}
