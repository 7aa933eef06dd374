/**
 * The platform's backend API: an API Gateway HTTP API whose every route is IAM-authorized (SigV4,
 * `execute-api:Invoke`), one Lambda per route from the function table, and the managed policy the
 * platform backend's role is given to call exactly these routes. A browser cannot use it: it has no
 * CORS configuration and a page holds no AWS credentials to sign with.
 *
 * With `platformPrincipalArn` the stack also creates a role that principal may assume, carrying
 * that policy (for a backend in another account, or one whose own role is managed elsewhere).
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ArnPrincipal, ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INVOKE_ACTION, PLATFORM_STAGE, type HttpRoute } from '../../shared/platform-api';
import { nagRef } from './nag';
import { pascalCase, type StageThrottle } from './signaling-api';

export interface PlatformApiProps {
  readonly throttle: StageThrottle;
  readonly accessLogRetention: RetentionDays;
  readonly accessLogRemovalPolicy: RemovalPolicy;
  /** An IAM principal (account root, role or user ARN) allowed to assume a role that has the invoke policy. */
  readonly platformPrincipalArn?: string;
}

/** One access log line per request, with the IAM caller that signed it. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  caller: '$context.identity.userArn',
  sourceIp: '$context.identity.sourceIp',
} as const;

/** The resource path of a route in its execute-api ARN: each path parameter matches one segment's worth of text. */
export const invokePathOf = (path: string): string => path.replace(/\{[^}]+\}/g, '*');

export class PlatformApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** `execute-api:Invoke` on each route of this API and nothing else: attach it to the platform backend's role. */
  readonly invokePolicy: ManagedPolicy;
  readonly platformRole: Role | undefined;
  private readonly authorizer = new HttpIamAuthorizer();

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: "The platform's backend API: call grants, presence, call logs, calls started by the platform (IAM-signed)",
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: props.accessLogRemovalPolicy,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: PLATFORM_STAGE,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.invokePolicy = new ManagedPolicy(this, 'InvokePolicy', {
      description: "Lets the platform's backend call the platform API's routes (execute-api:Invoke on them, nothing else)",
    });
    this.platformRole = props.platformPrincipalArn
      ? new Role(this, 'PlatformRole', {
          description: "Assumed by the platform's backend to call the platform API",
          assumedBy: new ArnPrincipal(props.platformPrincipalArn),
          managedPolicies: [this.invokePolicy],
        })
      : undefined;
  }

  /** `https://{api}.execute-api.{region}.amazonaws.com/`: the platform backend's base URL. */
  get url(): string {
    return this.stage.url;
  }

  /** Routes `route` to `handler` behind IAM authorization, and lets the invoke policy call it. */
  addHandlerRoute(route: HttpRoute, functionId: string, handler: IFunction): void {
    const integration = new HttpLambdaIntegration(`${pascalCase(functionId)}Integration`, handler, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer: this.authorizer });
    const invokePath = invokePathOf(route.path);
    this.invokePolicy.addStatements(
      new PolicyStatement({
        actions: [INVOKE_ACTION],
        resources: [this.api.arnForExecuteApi(route.method, invokePath, PLATFORM_STAGE)],
      }),
    );
    if (invokePath !== route.path) {
      Validations.of(this.invokePolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${nagRef(this.api)}/${PLATFORM_STAGE}/${route.method}${invokePath}]`,
        reason: `The route ${route.method} ${route.path} takes its profile in the path: execute-api ARNs name the request's path, so each parameter is a wildcard of this one route.`,
      });
    }
  }
}
