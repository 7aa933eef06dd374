/**
 * The API Gateway WebSocket API and its stage: route selection on the message `type`, throttling,
 * and JSON access logs. Routes are added by `CallHandlers` from the shared function table.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
  type IWebSocketRouteAuthorizer,
  type WebSocketRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ManagedPolicy, Role, ServicePrincipal, type Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { ROUTE_SELECTION_EXPRESSION, type RouteKey } from '../../shared/routes';
import type { ManagementApi } from './handler-function';
import { nagRef } from './nag';

export interface StageThrottle {
  /** Steady-state requests per second across the stage (messages and connects). */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  readonly burstLimit: number;
}

export interface SignalingApiProps {
  readonly stageName: string;
  readonly throttle: StageThrottle;
  readonly accessLogRetention: RetentionDays;
  readonly accessLogRemovalPolicy: RemovalPolicy;
  /**
   * API Gateway writes WebSocket access logs only once the account (per region) names an IAM role
   * for it. When true, the stack sets that account setting to a role of its own. Turn off where
   * the account's role is managed elsewhere.
   */
  readonly manageAccountLogRole: boolean;
  /** @default the chat calls' description */
  readonly description?: string;
  /** The account's log role setting made by another API of the stack: this stage waits for it too. */
  readonly accountLogSetting?: CfnAccount;
}

/** The access log line: one JSON object per connect, message and disconnect. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  messageId: '$context.messageId',
  status: '$context.status',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
} as const;

export class SignalingApi extends Construct implements ManagementApi {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogs: LogGroup;
  /** The account's API Gateway log role setting, when this API made it. */
  accountLogSetting: CfnAccount | undefined;

  constructor(scope: Construct, id: string, props: SignalingApiProps) {
    super(scope, id);

    this.api = new WebSocketApi(this, 'Api', {
      description: props.description ?? 'Call signaling: one route per client message type',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: props.accessLogRemovalPolicy,
    });

    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    if (props.manageAccountLogRole) this.setAccountLogRole();
    if (props.accountLogSetting) this.stage.node.addDependency(props.accountLogSetting);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'API Gateway runs WebSocket authorizers on $connect only, and $connect has the Lambda authorizer; every later route ' +
        'of the socket carries the identity it established, and the handlers check that identity on every message.',
    });
  }

  /** `wss://…/{stage}`: what browsers connect to. */
  get url(): string {
    return this.stage.url;
  }

  /** `https://…/{stage}`: the @connections management API the handlers post through. */
  get endpoint(): string {
    return this.stage.callbackUrl;
  }

  /** Posting to (and deleting) sockets of this stage only (narrower than the API-wide `grantManageConnections`). */
  grantManageConnections(grantee: IGrantable & IConstruct): Grant {
    const grant = this.stage.grantManagementApiAccess(grantee);
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${nagRef(this.api)}/${this.stage.stageName}/*/@connections/*]`,
      reason:
        "Connection ids are assigned by API Gateway at connect time; the grant is limited to this API's stage and the @connections path.",
    });
    return grant;
  }

  /** Routes `routeKey` to `handler`; the construct ids follow the function table's ids. */
  addHandlerRoute(routeKey: RouteKey, functionId: string, handler: IFunction, authorizer?: IWebSocketRouteAuthorizer): WebSocketRoute {
    // A construct id of "Default" is dropped from logical ids and would collide with the route's own:
    // suffixing every integration id keeps `$default`'s integration distinct.
    const integration = new WebSocketLambdaIntegration(`${pascalCase(functionId)}Integration`, handler);
    return this.api.addRoute(routeKey, { integration, ...(authorizer ? { authorizer } : {}) });
  }

  private setAccountLogRole(): void {
    const role = new Role(this, 'AccountLogRole', {
      description: 'Lets API Gateway write access logs to CloudWatch Logs (account setting, per region)',
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // The account setting outlives this stack (deleting the resource does not clear it), so the role
    // it points at is kept too; otherwise other APIs in the account would lose their logs.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // Escape hatch: there is no L2 for this account-level setting outside `RestApi`, and WebSocket
    // stages refuse access logging without it ("CloudWatch Logs role ARN must be set in account settings").
    const account = new CfnAccount(this, 'AccountLogSetting', { cloudWatchRoleArn: role.roleArn });
    account.node.addDependency(role);
    this.accountLogSetting = account;
    // The stage must not be created before the account can log.
    this.stage.node.addDependency(account);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The AWS managed policy made for exactly this role; it only allows writing to CloudWatch Logs.',
    });
  }
}

export const pascalCase = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
