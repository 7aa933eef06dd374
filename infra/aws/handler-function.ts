/**
 * One Lambda function of the deployed layout (`shared/routes.ts`): one entry of the shared function
 * table (per route), or several (grouped), with the project's defaults baked in and the access its
 * entries declare, nothing more: a grouped function gets the union of its members' grants and
 * environments, each made by the same code as for a function of its own.
 */
import { resolve } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { abuseLimitEnvironment, type AbuseLimitSettings } from '../../shared/abuse-limits';
import type { CallPolicy } from '../../shared/call-policy';
import { ENV, type EnvName } from '../../shared/env';
import type { LogLevel as LogLevelName } from '../../shared/settings';
import { apiOf, mayWrite, type DeployedFunctionSpec, type FunctionAccess, type FunctionDefinition } from '../../shared/routes';
import { TABLE_DEFINITIONS, TABLE_KEYS, type CallTables } from './data';
import { nagRef } from './nag';

/** Node.js 22 is the LTS line the handlers are typed against (`@types/node` ^22). */
export const HANDLER_RUNTIME = Runtime.NODEJS_22_X;
const ESBUILD_TARGET = 'node22';
/** The one environment name the runtime owns rather than the handlers (`shared/env.ts`). */
export const NODE_OPTIONS = 'NODE_OPTIONS';

/** What every handler is told, whatever it may touch (see `HandlerFunction`). */
export interface HandlerSettings {
  readonly ringTimeoutSeconds: number;
  readonly resumeGraceSeconds: number;
  /** How soon after the answer, and then how often, the sweeper checks both parties' sockets. */
  readonly livenessCheckSeconds: number;
  /** Profile types allowed to connect; unset keeps the handlers' default set. */
  readonly profileTypes?: readonly string[];
  /** STUN URLs offered by `ice_servers`; empty offers none. */
  readonly stunUrls: readonly string[];
  readonly logLevel: LogLevelName;
  /** What connect tokens must be: the authorizer is told all of it, the functions that sign or verify call grants the `iss` and `aud`. */
  readonly tokenPolicy: { readonly maxLifetimeSeconds: number; readonly issuer?: string; readonly audience?: string };
  /** Who may call whom; every function is told, so the template says it plainly. */
  readonly callPolicy: CallPolicy;
  /** The longest-lived call grant accepted; unset keeps the handlers' default. */
  readonly callGrantMaxTtlSeconds?: number;
  /** Socket cap, rate limits and repeated-ring limit; each unset one keeps the handlers' default. */
  readonly abuseLimits?: AbuseLimitSettings;
  /** Whiteboard session calls' wait limit and rejoin grace; unset keeps the handlers' defaults. */
  readonly sessionWaitLimitSeconds?: number;
  readonly sessionRejoinGraceSeconds?: number;
}

/** Where a function may post to sockets, and how to grant it. */
export interface ManagementApi {
  /** `https://{apiId}.execute-api.{region}.{urlSuffix}/{stage}` */
  readonly endpoint: string;
  /** Grants posting to (and deleting) sockets, acknowledging the wildcard this needs on `grantee`. */
  grantManageConnections(grantee: IGrantable & IConstruct): Grant;
}

/** Where TURN credentials come from (`infra/aws/ice-servers.ts`): what to tell the function and how to grant it. */
export interface TurnCredentialsSource {
  readonly turnEnvironment: Partial<Record<EnvName, string>>;
  grantTurnCredentials(grantee: IGrantable): void;
}

/** The resources a handler may be bound to; the definition's `access` decides which it gets. */
export interface HandlerResources {
  readonly tables: CallTables;
  readonly signingSecret: ISecret;
  readonly managementApi: ManagementApi;
  readonly settings: HandlerSettings;
  /** @default no TURN */
  readonly turnCredentials?: TurnCredentialsSource;
}

export interface HandlerFunctionProps {
  /** The function and the function table entries it serves (one per route unless grouped). */
  readonly spec: DeployedFunctionSpec;
  readonly resources: HandlerResources;
  /** Absolute path of the project root; `definition.entry` is relative to it. */
  readonly projectRoot: string;
  readonly logRetention: RetentionDays;
  /** Whether the function's log group outlives the stack. */
  readonly logRemovalPolicy: RemovalPolicy;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /**
   * Bundle the AWS SDK instead of using the copy in the Lambda runtime. Off by default, as measured
   * (tests/bench/cold-start.ts): bundled and tree-shaken, each handler grows from ~90 KB to ~500 KB
   * and its init takes about twice the CPU (V8 parses the SDK code its adapters load on first use).
   */
  readonly bundleAwsSdk?: boolean;
}

const APPLICATION_LOG_LEVEL: Record<HandlerSettings['logLevel'], ApplicationLogLevel> = {
  debug: ApplicationLogLevel.DEBUG,
  info: ApplicationLogLevel.INFO,
  warn: ApplicationLogLevel.WARN,
  error: ApplicationLogLevel.ERROR,
};

/**
 * The environment of every handler. The handlers read their whole configuration once at cold start
 * and fail fast on any missing name, so every function is told every table and the management
 * endpoint; what it may actually do is decided by the IAM grants below, not by what it is told.
 */
export function handlerEnvironment(resources: HandlerResources, definition: FunctionDefinition): Partial<Record<EnvName, string>> {
  const { settings } = resources;
  const environment: Partial<Record<EnvName, string>> = {
    [ENV.managementEndpoint]: resources.managementApi.endpoint,
    [ENV.ringTimeoutSeconds]: String(settings.ringTimeoutSeconds),
    [ENV.resumeGraceSeconds]: String(settings.resumeGraceSeconds),
    [ENV.livenessCheckSeconds]: String(settings.livenessCheckSeconds),
    [ENV.logLevel]: settings.logLevel,
    [ENV.callPolicy]: settings.callPolicy,
  };
  if (settings.callGrantMaxTtlSeconds !== undefined) environment[ENV.callGrantMaxTtlSeconds] = String(settings.callGrantMaxTtlSeconds);
  Object.assign(environment, abuseLimitEnvironment(settings.abuseLimits ?? {}));
  for (const key of TABLE_KEYS) environment[TABLE_DEFINITIONS[key].envName] = resources.tables[key].tableName;
  if (settings.profileTypes !== undefined) environment[ENV.profileTypes] = settings.profileTypes.join(',');
  if (settings.stunUrls.length > 0) environment[ENV.stunUrls] = settings.stunUrls.join(',');
  if (definition.access.signingSecret) environment[ENV.jwtSecretArn] = resources.signingSecret.secretArn;
  // A whiteboard function reaches the whiteboard API's sockets (its `managementApi`), under a name of its own.
  if (apiOf(definition) === 'whiteboard') environment[ENV.whiteboardManagementEndpoint] = resources.managementApi.endpoint;
  if (settings.sessionWaitLimitSeconds !== undefined) environment[ENV.sessionWaitLimitSeconds] = String(settings.sessionWaitLimitSeconds);
  if (settings.sessionRejoinGraceSeconds !== undefined) {
    environment[ENV.sessionRejoinGraceSeconds] = String(settings.sessionRejoinGraceSeconds);
  }
  if (definition.access.turnCredentials && resources.turnCredentials) Object.assign(environment, resources.turnCredentials.turnEnvironment);
  const { maxLifetimeSeconds, issuer, audience } = settings.tokenPolicy;
  if (definition.trigger.kind === 'authorizer') environment[ENV.tokenMaxLifetimeSeconds] = String(maxLifetimeSeconds);
  // Whoever signs or verifies with the secret (connect tokens, call grants) asks for the same `iss` and `aud`.
  if (definition.access.signingSecret) {
    if (issuer) environment[ENV.tokenIssuer] = issuer;
    if (audience) environment[ENV.tokenAudience] = audience;
  }
  return environment;
}

/**
 * The environment of a function serving `members`: each member's, merged. Members of one group
 * share an API and resources, so a name two members are told has one value; a clash is a wiring
 * fault. A name only some members need (the signing secret's ARN, TURN settings) is read only by
 * the routes whose own entry grants what it names.
 */
export function unionEnvironment(resources: HandlerResources, members: readonly FunctionDefinition[]): Partial<Record<EnvName, string>> {
  const union: Partial<Record<EnvName, string>> = {};
  for (const member of members) {
    for (const [name, value] of Object.entries(handlerEnvironment(resources, member)) as [EnvName, string | undefined][]) {
      if (value === undefined) continue;
      const told = union[name];
      if (told !== undefined && told !== value) throw new Error(`${member.id} and another member of its function need different ${name}`);
      union[name] = value;
    }
  }
  return union;
}

export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  /** The function's id: its table entry's, or its group's (`chat-routes`, …). */
  readonly id: string;
  /** The function table entries it serves, in table order. */
  readonly members: readonly FunctionDefinition[];

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { spec, resources } = props;
    this.id = spec.id;
    this.members = spec.members;

    // Its own log group, so retention and removal are explicit and metric filters can target it.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.function = new NodejsFunction(this, 'Function', {
      description: `${spec.id} (${describeMembers(spec.members)}) in ${Stack.of(this).stackName}`,
      entry: resolve(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: resolve(props.projectRoot, 'package-lock.json'),
      runtime: HANDLER_RUNTIME,
      // Graviton: about 20% cheaper per GB-second than x86 for the same work.
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment: {
        ...stringsOnly(unionEnvironment(resources, spec.members)),
        // Node reads the bundled source map only when asked; errors then point at the TypeScript.
        [NODE_OPTIONS]: '--enable-source-maps',
      },
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[resources.settings.logLevel],
      // INFO keeps the platform REPORT lines (duration, memory, init time) that the benchmarks read.
      systemLogLevelV2: SystemLogLevel.INFO,
      logGroup: this.logGroup,
      bundling: {
        format: OutputFormat.CJS,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        // Stack traces map back to TypeScript without shipping the sources themselves.
        sourcesContent: false,
        externalModules: props.bundleAwsSdk ? [] : ['@aws-sdk/*', '@smithy/*'],
        // ES builds first, so esbuild drops the exports a handler never reaches (tests/bench/cold-start.ts bundles the same way).
        mainFields: ['module', 'main'],
        // Synth stays quiet: esbuild reports only problems, not each bundle's size.
        logLevel: LogLevel.WARNING,
      },
    });

    for (const member of spec.members) this.grantDeclaredAccess(member.access, resources);
  }

  /** The function table entry of a function serving one route; a grouped function has several (`members`). */
  get definition(): FunctionDefinition {
    const [only, ...others] = this.members;
    if (!only || others.length > 0) throw new Error(`${this.id} serves ${this.members.length} routes: read its members`);
    return only;
  }

  /** Exactly the access the function table lists for one entry this function serves. */
  private grantDeclaredAccess(access: FunctionAccess, resources: HandlerResources): void {
    for (const key of TABLE_KEYS) {
      const table = resources.tables[key];
      const declared = access[key] ?? 'none';
      if (declared === 'none') continue;
      if (declared === 'read') table.grantReadData(this.function);
      else table.grantReadWriteData(this.function);
      const { indexes, localName } = TABLE_DEFINITIONS[key];
      if (indexes.length > 0) {
        Validations.of(this).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagRef(table, 'Arn')}/index/*]`,
          reason: `Queries ${localName} through its indexes (${indexes.map((index) => index.indexName).join(', ')}); index ARNs sit under table/index/.`,
        });
      }
    }
    // Only the counters' UpdateItem, on the table itself (items, never its indexes): the function writes nothing else there.
    if (access.rateCounters && !mayWrite(access.connections)) {
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['dynamodb:UpdateItem'],
        resourceArns: [resources.tables.connections.tableArn],
      });
    }
    // A call's log gains a quality summary by UpdateItem on the table itself; the function writes nothing else there.
    if (access.callLogUpdates && !mayWrite(access.callLogs)) {
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['dynamodb:UpdateItem'],
        resourceArns: [resources.tables.callLogs.tableArn],
      });
    }
    // Likewise a session call's item gains a member's quality summary.
    if (access.whiteboardCallUpdates && !mayWrite(access.whiteboardCalls ?? 'none')) {
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['dynamodb:UpdateItem'],
        resourceArns: [resources.tables.whiteboardCalls.tableArn],
      });
    }
    if (access.manageConnections) resources.managementApi.grantManageConnections(this.function);
    if (access.signingSecret) resources.signingSecret.grantRead(this.function);
    if (access.turnCredentials) resources.turnCredentials?.grantTurnCredentials(this.function);
  }
}

/** What triggers a function: its route, or how many routes it serves and of which API (a description holds 256 characters). */
function describeMembers(members: readonly FunctionDefinition[]): string {
  const [first] = members;
  if (!first || members.length === 1) return first ? describeTrigger(first) : 'no routes';
  const api = first.trigger.kind === 'http' ? 'the platform API' : `the ${apiOf(first)} WebSocket API`;
  return `${members.length} routes of ${api}`;
}

function describeTrigger(definition: FunctionDefinition): string {
  const { trigger } = definition;
  if (trigger.kind === 'route') return `route ${trigger.routeKey}`;
  if (trigger.kind === 'authorizer') return '$connect authorizer';
  if (trigger.kind === 'http') return `platform API ${trigger.method} ${trigger.path}`;
  return 'scheduled';
}

function stringsOnly(environment: Partial<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) if (value !== undefined) result[name] = value;
  return result;
}
