/**
 * The whole deployment: data, signing secret, signaling API and platform API with their handlers,
 * web hosting and observability, wired by typed props.
 */
import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AbuseLimitSettings } from '../../shared/abuse-limits';
import { DEFAULT_CALL_POLICY, type CallPolicy } from '../../shared/call-policy';
import {
  DEFAULT_LIVENESS_CHECK_SECONDS,
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
} from '../../shared/limits';
import type { FunctionDefinition, FunctionLayoutName } from '../../shared/routes';
import { CallHandlers } from './call-handlers';
import { CallData } from './data';
import type { HandlerSettings } from './handler-function';
import { IceServers, type TurnSettings } from './ice-servers';
import { Observability } from './observability';
import { PlatformApi } from './platform-api';
import { SignalingApi, type StageThrottle } from './signaling-api';
import { SigningSecret } from './signing-secret';
import { WebHosting } from './web-hosting';

/** Stack output keys, read by people (`cdk deploy` prints them) and by the token CLI's docs. */
export const OUTPUTS = {
  websiteUrl: 'WebsiteUrl',
  webSocketUrl: 'WebSocketUrl',
  whiteboardWebSocketUrl: 'WhiteboardWebSocketUrl',
  signingSecretArn: 'SigningSecretArn',
  dashboardName: 'DashboardName',
  platformApiUrl: 'PlatformApiUrl',
  platformInvokePolicyArn: 'PlatformInvokePolicyArn',
  platformRoleArn: 'PlatformRoleArn',
  turnSecretArn: 'TurnSecretArn',
} as const;

export interface SignalingStackProps extends StackProps {
  /** Absolute path of the project root (handler entries are relative to it). */
  readonly projectRoot: string;
  /** Directory of the built web client. */
  readonly webDistPath: string;
  /** @default 'live' */
  readonly stageName?: string;
  /**
   * Keep the users' data (`call_logs`, `profile_settings`) and the logs when the stack is deleted.
   * Turn off for throwaway stacks.
   * @default true
   */
  readonly retainData?: boolean;
  /** @default 45 (shared/limits.ts) */
  readonly ringTimeoutSeconds?: number;
  /** @default 60 (shared/limits.ts) */
  readonly resumeGraceSeconds?: number;
  /** Whiteboard session calls: how long a call waits for the other member. @default 900 (shared/limits.ts) */
  readonly sessionWaitLimitSeconds?: number;
  /** Whiteboard session calls: how long both members may be gone. @default 60 (shared/limits.ts) */
  readonly sessionRejoinGraceSeconds?: number;
  /** @default 30 (shared/limits.ts) */
  readonly livenessCheckSeconds?: number;
  /** @default the handlers' own default set */
  readonly profileTypes?: readonly string[];
  /** STUN servers offered by `ice_servers` and `config.json`; empty offers none. @default Kinesis Video Streams' STUN server of the stack's region */
  readonly stunUrls?: readonly string[];
  /** TURN with short-lived credentials (see `infra/aws/ice-servers.ts`). @default none */
  readonly turn?: TurnSettings;
  /** Who may call whom (see shared/call-policy.ts). @default 'open' */
  readonly callPolicy?: CallPolicy;
  /** The longest-lived call grant accepted, in seconds. @default 300 (shared/limits.ts) */
  readonly callGrantMaxTtlSeconds?: number;
  /** Socket cap, rate limits and repeated-ring limit. @default each as in shared/limits.ts */
  readonly abuseLimits?: AbuseLimitSettings;
  /** Connect tokens valid for longer (`exp − iat`) are refused. @default 86400 (shared/limits.ts) */
  readonly tokenMaxLifetimeSeconds?: number;
  /** Required `iss` of connect tokens. @default none checked */
  readonly tokenIssuer?: string;
  /** Required `aud` of connect tokens. @default none checked */
  readonly tokenAudience?: string;
  /** @default { rateLimit: 500, burstLimit: 1000 } */
  readonly throttle?: StageThrottle;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** @default 'info' */
  readonly logLevel?: HandlerSettings['logLevel'];
  /** @default true (see `SignalingApiProps.manageAccountLogRole`) */
  readonly manageAccountLogRole?: boolean;
  /** @default false (see `HandlerFunctionProps.bundleAwsSdk`) */
  readonly bundleAwsSdk?: boolean;
  /** SNS topic the alarms notify. @default none */
  readonly alarmTopicArn?: string;
  /**
   * An IAM principal ARN (the platform backend's account, role or user) that may assume a role
   * allowed to call the platform API. @default none: attach the `PlatformInvokePolicyArn` policy
   * to the backend's own role instead
   */
  readonly platformPrincipalArn?: string;
  /** The function table. @default the shared one (`shared/routes.ts`) */
  readonly functionDefinitions?: readonly FunctionDefinition[];
  /**
   * One Lambda function per route (`per-route`: least privilege and metrics per route), or one per
   * API (`grouped`: fewer cold starts at low traffic; each function holds its routes' union of grants).
   * @default 'per-route'
   */
  readonly functionLayout?: FunctionLayoutName;
}

export class SignalingStack extends Stack {
  readonly data: CallData;
  readonly signingSecret: SigningSecret;
  readonly api: SignalingApi;
  /** The whiteboard API: session calls on a WebSocket API of their own. */
  readonly whiteboardApi: SignalingApi;
  readonly platformApi: PlatformApi;
  readonly handlers: CallHandlers;
  readonly web: WebHosting;
  readonly observability: Observability;
  readonly iceServers: IceServers;

  constructor(scope: Construct, id: string, props: SignalingStackProps) {
    super(scope, id, props);
    const retainData = props.retainData ?? true;
    const keepLogs = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.data = new CallData(this, 'Data', { retainUserData: retainData });
    this.signingSecret = new SigningSecret(this, 'SigningSecret');
    this.iceServers = new IceServers(this, 'IceServers', {
      ...(props.stunUrls ? { stunUrls: props.stunUrls } : {}),
      ...(props.turn ? { turn: props.turn } : {}),
    });

    this.api = new SignalingApi(this, 'Signaling', {
      stageName: props.stageName ?? 'live',
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      accessLogRetention: logRetention,
      accessLogRemovalPolicy: keepLogs,
      manageAccountLogRole: props.manageAccountLogRole ?? true,
    });

    this.whiteboardApi = new SignalingApi(this, 'Whiteboard', {
      description: 'Whiteboard session calls: one route per session message type',
      stageName: props.stageName ?? 'live',
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      accessLogRetention: logRetention,
      accessLogRemovalPolicy: keepLogs,
      // The account's log role is one setting, made by the signaling API.
      manageAccountLogRole: false,
      ...(this.api.accountLogSetting ? { accountLogSetting: this.api.accountLogSetting } : {}),
    });

    this.platformApi = new PlatformApi(this, 'Platform', {
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      accessLogRetention: logRetention,
      accessLogRemovalPolicy: keepLogs,
      ...(props.platformPrincipalArn ? { platformPrincipalArn: props.platformPrincipalArn } : {}),
    });

    this.handlers = new CallHandlers(this, 'Handlers', {
      api: this.api,
      whiteboardApi: this.whiteboardApi,
      platformApi: this.platformApi,
      resources: {
        tables: this.data.tables,
        signingSecret: this.signingSecret.secret,
        turnCredentials: this.iceServers,
        settings: {
          ringTimeoutSeconds: props.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
          resumeGraceSeconds: props.resumeGraceSeconds ?? DEFAULT_RESUME_GRACE_SECONDS,
          livenessCheckSeconds: props.livenessCheckSeconds ?? DEFAULT_LIVENESS_CHECK_SECONDS,
          ...(props.profileTypes ? { profileTypes: props.profileTypes } : {}),
          stunUrls: this.iceServers.stunUrls,
          logLevel: props.logLevel ?? 'info',
          tokenPolicy: {
            maxLifetimeSeconds: props.tokenMaxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
            ...(props.tokenIssuer ? { issuer: props.tokenIssuer } : {}),
            ...(props.tokenAudience ? { audience: props.tokenAudience } : {}),
          },
          callPolicy: props.callPolicy ?? DEFAULT_CALL_POLICY,
          ...(props.callGrantMaxTtlSeconds !== undefined ? { callGrantMaxTtlSeconds: props.callGrantMaxTtlSeconds } : {}),
          ...(props.abuseLimits ? { abuseLimits: props.abuseLimits } : {}),
          ...(props.sessionWaitLimitSeconds !== undefined ? { sessionWaitLimitSeconds: props.sessionWaitLimitSeconds } : {}),
          ...(props.sessionRejoinGraceSeconds !== undefined ? { sessionRejoinGraceSeconds: props.sessionRejoinGraceSeconds } : {}),
        },
      },
      projectRoot: props.projectRoot,
      logRetention,
      logRemovalPolicy: keepLogs,
      bundleAwsSdk: props.bundleAwsSdk ?? false,
      ...(props.functionDefinitions ? { definitions: props.functionDefinitions } : {}),
      ...(props.functionLayout ? { layout: props.functionLayout } : {}),
    });

    this.web = new WebHosting(this, 'Web', {
      distPath: props.webDistPath,
      clientConfig: {
        websocketUrl: this.api.url,
        devLogin: false,
        iceServers: this.iceServers.stunUrls.length > 0 ? [{ urls: [...this.iceServers.stunUrls] }] : [],
        callPolicy: props.callPolicy ?? DEFAULT_CALL_POLICY,
        whiteboard_websocket_url: this.whiteboardApi.url,
      },
      connectSources: [this.api.api.apiEndpoint, this.whiteboardApi.api.apiEndpoint],
    });

    this.observability = new Observability(this, 'Observability', {
      handlers: this.handlers.all,
      stage: this.api.stage,
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
    });

    new CfnOutput(this, OUTPUTS.websiteUrl, { value: this.web.url, description: 'Open this to use the call client' });
    new CfnOutput(this, OUTPUTS.webSocketUrl, {
      value: this.api.url,
      description: 'The signaling endpoint; clients connect to it with ?token=<JWT>',
    });
    new CfnOutput(this, OUTPUTS.whiteboardWebSocketUrl, {
      value: this.whiteboardApi.url,
      description: 'The whiteboard API (session calls); clients connect to it with ?token=<JWT>',
    });
    new CfnOutput(this, OUTPUTS.signingSecretArn, {
      value: this.signingSecret.secret.secretArn,
      description: 'Secrets Manager secret holding the HS256 key that signs connect tokens',
    });
    new CfnOutput(this, OUTPUTS.platformApiUrl, {
      value: this.platformApi.url,
      description: "The platform backend's API (IAM-signed, service execute-api): call grants, presence, call logs, invites",
    });
    new CfnOutput(this, OUTPUTS.platformInvokePolicyArn, {
      value: this.platformApi.invokePolicy.managedPolicyArn,
      description: "Attach to the platform backend's role: execute-api:Invoke on the platform API's routes only",
    });
    if (this.iceServers.turnSecret) {
      new CfnOutput(this, OUTPUTS.turnSecretArn, {
        value: this.iceServers.turnSecret.secretArn,
        description: 'Secrets Manager secret holding the TURN REST shared secret; the TURN server must use the same value',
      });
    }
    if (this.platformApi.platformRole) {
      new CfnOutput(this, OUTPUTS.platformRoleArn, {
        value: this.platformApi.platformRole.roleArn,
        description: 'The role platformPrincipalArn may assume to call the platform API',
      });
    }
    new CfnOutput(this, OUTPUTS.dashboardName, {
      value: this.observability.dashboard.dashboardName,
      description: 'CloudWatch dashboard with call metrics, API and handler health',
    });

    this.acknowledgeStackFindings();
  }

  /** Findings that hold for every handler, with why each is accepted. */
  private acknowledgeStackFindings(): void {
    const handlers = Validations.of(this.handlers);
    handlers.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The AWS managed policy for writing the function's own logs; it grants CloudWatch Logs writes only.",
    });
    handlers.acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Handlers target Node.js 22 on purpose: the code and @types/node are pinned to it (a supported LTS runtime). ' +
        'Moving to a newer runtime is a deliberate change of HANDLER_RUNTIME together with @types/node.',
    });
  }
}
