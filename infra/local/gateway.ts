/**
 * The local gateway: what API Gateway's WebSocket API, Lambda, EventBridge and DynamoDB do on AWS,
 * on one public port (the page and the WebSocket API), with the @connections API and the store on
 * loopback ports of their own. It runs the same handlers the CDK stack deploys, reached the same
 * way (the WebSocket protocol, the @connections API, DynamoDB through the AWS SDK), in one of two
 * modes:
 *
 * - source (the default): the handler modules imported into this process, for a fast start and
 *   hot edits. One per process: handlers read their environment once, so after a gateway has
 *   loaded them a second one could not point them anywhere else.
 * - as deployed (`asDeployed`): the synthesized bundles in Lambda-like containers, each function
 *   with only the IAM access its role is granted (`as-deployed/`). Nothing of the handlers is
 *   loaded here, so several may run in one process.
 *
 * Both share everything else: route selection, the authorizer, `$connect`/`$disconnect`, the
 * management API, the limits, the sweeper.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { abuseLimitEnvironment, type AbuseLimitSettings } from '../../shared/abuse-limits';
import { ENV } from '../../shared/env';
import { positiveNumber } from '../../shared/settings';
import type { TokenClaims } from '../../shared/identity';
import {
  DEFAULT_RESUME_GRACE_SECONDS,
  DEFAULT_RING_TIMEOUT_SECONDS,
  IDLE_TIMEOUT_SECONDS,
  MAX_CONNECTION_SECONDS,
} from '../../shared/limits';
import { parseProfileTypes } from '../../shared/profile';
import { FUNCTIONS, WHITEBOARD_LOCAL_PATH } from '../../shared/routes';
import { parseCallPolicy, type CallPolicy } from '../../shared/call-policy';
import { DEFAULT_CALL_GRANT_MAX_TTL_SECONDS, DEFAULT_CALL_GRANT_TTL_SECONDS } from '../../shared/limits';
import { PLATFORM_STAGE } from '../../shared/platform-api';
import { TABLES } from '../../shared/tables';
import { signCallGrant, type GrantIssuance } from '../../lambdas/auth/call-grant';
import { signToken, verifyToken } from '../../lambdas/auth/token';
import { CONFIG_PATH, DEV_CALL_GRANT_PATH, DEV_TOKEN_PATH, handleConfig, handleDevToken } from './dev-login';
import { handleDevCallGrant } from './dev-call-grant';
import { handleDevSessionGrant } from './dev-session-grant';
import { DEV_SESSION_GRANT_PATH } from '../../shared/client-config';
import { signSessionGrant } from '../../lambdas/auth/session-grant';
import { DEFAULT_SESSION_EARLY_JOIN_SECONDS } from '../../shared/limits';
import { scheduledEvent, type ApiDescription } from './events';
import { DEFAULT_CDK_OUT, ensureCdkOut } from './as-deployed/cdk-out';
import { handlerSettingOverrides, type FunctionCredentials } from './as-deployed/container-environment';
import type { ContainerInfo } from './as-deployed/container-pool';
import { startDeployedFunctions } from './as-deployed/deployed-functions';
import { DEFAULT_CONTAINER_IDLE_SECONDS, type AsDeployedOptions } from './as-deployed/options';
import { localAwsIdentity, PLATFORM_API_ID, WHITEBOARD_API_ID } from './as-deployed/local-identity';
import { readDeployedStack, type DeployedStack } from './as-deployed/template';
import { findMissingEntries, loadFunctions, MissingHandlersError, type GatewayFunctions } from './functions';
import { applyHandlerEnvironment, handlerEnvironment } from './handler-environment';
import { hostPolicy, isLoopbackHostname, isWildcardAddress, type HostPolicy } from './host-check';
import { sendText } from './http-util';
import {
  concurrencySettings,
  DEFAULT_FUNCTION_CONCURRENCY,
  functionConcurrency,
  reservedConcurrency,
  type FunctionConcurrency,
} from './function-concurrency';
import { Invoker } from './invoker';
import { createLog, errorFields, logLevelFromEnvironment, type GatewayLog, type LogLevel } from './log';
import { lockDataDir } from './data-dir-lock';
import { handleManagementRequest, isManagementPath, sendNoRoute, type ManagementAccess } from './management-api';
import { listenOnLoopback } from './as-deployed/loopback-server';
import { DEFAULT_DATA_DIR, DEFAULT_WEB_ROOT, PROJECT_ROOT } from './paths';
import { runPeriodically, type PeriodicTask } from './periodic';
import { keepingProblems, type ProblemLine } from './problems';
import { handlePlatformRequest, platformAuthorization, type PlatformApiAccess } from './platform-api';
import { loadPlatformKey, type PlatformKey } from './platform-key';
import { loadSigningSecret, type SecretSource } from './signing-secret-file';
import { serveStatic } from './static-files';
import { acceptsLocalKey, ensureTables, LOCAL_REGION, startStore } from './store';
import { deleteExpiredItems } from './ttl-sweeper';
import { refuseUpgrade, WebSocketApi } from './websocket-api';

export { MissingHandlersError };
export type { AsDeployedOptions, ProblemLine };

/** The stage in source mode; as deployed, the template's. */
export const STAGE = 'local';
const API_ID = 'local';
const apiOnStage = (stage: string, apiId = API_ID): ApiDescription => ({ apiId, stage, region: LOCAL_REGION, accountId: '000000000000' });

export interface LocalGatewayOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /**
   * Default 127.0.0.1. Anything else exposes the page, the WebSocket API and, when on, dev sign-in
   * to that network (never the management API or the store, which listen on loopback only); with
   * dev sign-in then `devLogin` must be given explicitly.
   */
  host?: string;
  /** Host names the page is reached by besides loopback names and the bound address (DNS rebinding defence). */
  allowedHosts?: readonly string[];
  /** Keep the store in memory instead of under `dataDir`. */
  memory?: boolean;
  /** Default `.data/` at the project root: the store (`dynalite/`) and the signing secret (`jwt-secret`). */
  dataDir?: string;
  ringTimeoutSeconds?: number;
  resumeGraceSeconds?: number;
  /** Whiteboard session calls: how long a call waits for the other member, and how long both may be gone (`SESSION_*`). */
  sessionWaitLimitSeconds?: number;
  sessionRejoinGraceSeconds?: number;
  /** Socket cap, rate limits, repeated-ring limit: those given override the environment (and, as deployed, the template). */
  abuseLimits?: AbuseLimitSettings;
  /** `POST /dev/token` signs a token for any profile. Default true on loopback; beyond it, say so. */
  devLogin?: boolean;
  /** API Gateway's limits: 600 s without a client message, 7200 s in all. */
  idleTimeoutSeconds?: number;
  maxConnectionSeconds?: number;
  /** How often the scheduled functions (the sweeper) run. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** How often expired items are deleted (DynamoDB TTL). Default 30000 ms. */
  ttlSweepIntervalMs?: number;
  /** Overrides `JWT_SECRET` and `<dataDir>/jwt-secret`. */
  jwtSecret?: string;
  /** The built web client. Default `web/dist`. */
  webRoot?: string;
  /** Invocations running longer fail like a Lambda timeout, counted from when they start running. Default 30 s. */
  functionTimeoutSeconds?: number;
  /**
   * Invocations of one function that run at once (Lambda's concurrency limit), in both modes; as
   * deployed also its containers at most (`asDeployed.maxContainers` is the same setting). Beyond
   * it they wait in arrival order. Default `FUNCTION_CONCURRENCY`, else (as deployed) the
   * template's `ReservedConcurrentExecutions`, else 10.
   */
  functionConcurrency?: number;
  /**
   * Invocations of one function that may wait for a slot; one more is throttled, and its client gets
   * API Gateway's "Internal server error" (0: none wait, as on Lambda). Default `FUNCTION_QUEUE_DEPTH`, else 10,000.
   */
  functionQueueDepth?: number;
  /** Only warnings and errors, from the gateway and the handlers (`LOG_LEVEL=warn`). */
  quiet?: boolean;
  /** For the gateway and the handlers; default `LOG_LEVEL`, else info. */
  logLevel?: LogLevel;
  /** Run the synthesized bundles in Lambda-like containers, with the template's IAM enforced. */
  asDeployed?: AsDeployedOptions;
  /** Who may call whom (`CALL_POLICY`); default the environment's, else (as deployed) the template's, else `open`. */
  callPolicy?: CallPolicy;
  /** The platform API's loopback port. Default 0: one the system picks (the banner and `gateway_started` say which). */
  platformPort?: number;
}

/** What the as-deployed mode runs and how to reach its parts. */
export interface AsDeployedGateway {
  cdkOut: string;
  stackName: string;
  /** Function table ids, in its order. */
  functions: readonly string[];
  /** Containers per function at most: the concurrency limit of a function whose template reserves none. */
  maxContainers: number;
  containerIdleSeconds: number;
  /** DynamoDB as the functions see it: the IAM-checking proxy in front of the store. */
  dynamodbProxyEndpoint: string;
  secretsManagerEndpoint: string;
  /** The local ARN of the stack's signing secret, as the authorizer is told it. */
  signingSecretArn: string;
  /** The key a function signs its AWS calls with (it names the function's role to the IAM checks). */
  credentialsOf(functionId: string): FunctionCredentials;
  containers(): ContainerInfo[];
}

export interface LocalGateway {
  /** The page (web client, `/config.json`, `/dev/token`). */
  httpUrl: string;
  /** `ws://host:port/`; connect with `?token=…`. */
  websocketUrl: string;
  /** The whiteboard API: `ws://host:port/whiteboard`; connect with `?token=…`. */
  whiteboardWebsocketUrl: string;
  /** The whiteboard API's own @connections endpoint (loopback, SigV4 only). */
  whiteboardManagementEndpoint: string;
  /** What `ApiGatewayManagementApiClient` takes as `endpoint`: a loopback port of its own, SigV4 only. */
  managementEndpoint: string;
  stage: string;
  /** The JWT signing secret tokens must be signed with. */
  secret: string;
  secretSource: SecretSource;
  dynamodbEndpoint: string;
  dataDir: string;
  memory: boolean;
  host: string;
  port: number;
  devLogin: boolean;
  signToken(claims: TokenClaims, ttlSeconds?: number): Promise<{ token: string; expiresAt: Date }>;
  mode: 'source' | 'as-deployed';
  /** Each function's concurrency limit and how many invocations may wait for it. */
  concurrency: FunctionConcurrency;
  /** Set in as-deployed mode. */
  asDeployed: AsDeployedGateway | undefined;
  /** Every `handler_failed` and `iam_denied` line logged so far (whatever the log level printed). */
  problems(): readonly ProblemLine[];
  /** The platform's backend API: a loopback port of its own, SigV4 (service `execute-api`) with `platformKey` only. */
  platformApiUrl: string;
  /** The local credential of the platform's backend (kept in `<dataDir>/platform-key.json`). */
  platformKey: PlatformKey;
  /** The call policy the handlers apply. */
  callPolicy: CallPolicy;
  /** Closes sockets (running `$disconnect`), timers, containers, the HTTP server and the store. */
  close(): Promise<void>;
}

interface Settings {
  port: number;
  host: string;
  allowedHosts: readonly string[];
  memory: boolean;
  dataDir: string;
  ringTimeoutSeconds: number;
  resumeGraceSeconds: number;
  sessionWaitLimitSeconds: number | undefined;
  sessionRejoinGraceSeconds: number | undefined;
  devLogin: boolean;
  idleTimeoutSeconds: number;
  maxConnectionSeconds: number;
  sweepIntervalMs: number;
  ttlSweepIntervalMs: number;
  jwtSecret: string | undefined;
  webRoot: string;
  functionTimeoutSeconds: number;
  /** The gateway's concurrency setting, when given (else the template's, else the default). */
  functionConcurrency: number | undefined;
  functionQueueDepth: number;
  logLevel: LogLevel;
  /** Set by an option rather than `LOG_LEVEL`: then the handlers get it too. */
  logLevelGiven: boolean;
  /** Given as options (not defaults), so as deployed they override the template's. */
  ringTimeoutGiven: boolean;
  resumeGraceGiven: boolean;
  /** Only when given as an option (else the environment's, or as deployed the template's). */
  callPolicy: CallPolicy | undefined;
  platformPort: number;
  abuseLimits: AbuseLimitSettings;
  asDeployed: { cdkOut: string | undefined; containerIdleSeconds: number } | undefined;
}

/** How long shutdown waits for clients to answer the close frame, then for invocations to finish. */
const CLOSE_GRACE_MS = 1_000;
const DRAIN_MS = 5_000;

const positive = (name: string, value: number | undefined, fallback: number): number => positiveNumber(name, value, fallback);

/** Dev sign-in hands out a token for any profile: beyond loopback it must be asked for, never a default. */
export class DevLoginBeyondLoopbackError extends Error {
  constructor(readonly host: string) {
    super(
      `Listening on ${host} reaches beyond this machine, and dev sign-in (POST /dev/token) would sign a token for any profile ` +
        'for anyone on that network. Start with --no-dev-login, or with --dev-login if that is what you want.',
    );
  }
}

function portNumber(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be 0-65535, got ${port}`);
  return port;
}

function resolveSettings(options: LocalGatewayOptions): Settings {
  const port = portNumber('port', options.port ?? 8080);
  const host = options.host ?? '127.0.0.1';
  if (options.devLogin === undefined && !isLoopbackHostname(host)) throw new DevLoginBeyondLoopbackError(host);
  const concurrency = concurrencySettings(
    {
      functionConcurrency: options.functionConcurrency,
      functionQueueDepth: options.functionQueueDepth,
      maxContainers: options.asDeployed?.maxContainers,
    },
    process.env,
  );
  return {
    port,
    host,
    allowedHosts: options.allowedHosts ?? [],
    memory: options.memory ?? false,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    ringTimeoutSeconds: positive('ringTimeoutSeconds', options.ringTimeoutSeconds, DEFAULT_RING_TIMEOUT_SECONDS),
    resumeGraceSeconds: positive('resumeGraceSeconds', options.resumeGraceSeconds, DEFAULT_RESUME_GRACE_SECONDS),
    sessionWaitLimitSeconds:
      options.sessionWaitLimitSeconds === undefined ? undefined : positive('sessionWaitLimitSeconds', options.sessionWaitLimitSeconds, 1),
    sessionRejoinGraceSeconds:
      options.sessionRejoinGraceSeconds === undefined
        ? undefined
        : positive('sessionRejoinGraceSeconds', options.sessionRejoinGraceSeconds, 1),
    devLogin: options.devLogin ?? true,
    idleTimeoutSeconds: positive('idleTimeoutSeconds', options.idleTimeoutSeconds, IDLE_TIMEOUT_SECONDS),
    maxConnectionSeconds: positive('maxConnectionSeconds', options.maxConnectionSeconds, MAX_CONNECTION_SECONDS),
    sweepIntervalMs: positive('sweepIntervalMs', options.sweepIntervalMs, 1_000),
    ttlSweepIntervalMs: positive('ttlSweepIntervalMs', options.ttlSweepIntervalMs, 30_000),
    jwtSecret: options.jwtSecret,
    webRoot: resolve(options.webRoot ?? DEFAULT_WEB_ROOT),
    functionTimeoutSeconds: positive('functionTimeoutSeconds', options.functionTimeoutSeconds, 30),
    functionConcurrency: concurrency.configured,
    functionQueueDepth: concurrency.queueDepth,
    logLevel: options.logLevel ?? (options.quiet ? 'warn' : (logLevelFromEnvironment() ?? 'info')),
    logLevelGiven: options.logLevel !== undefined || options.quiet === true,
    ringTimeoutGiven: options.ringTimeoutSeconds !== undefined,
    resumeGraceGiven: options.resumeGraceSeconds !== undefined,
    callPolicy: options.callPolicy === undefined ? undefined : parseCallPolicy('callPolicy', options.callPolicy),
    platformPort: portNumber('platformPort', options.platformPort ?? 0),
    abuseLimits: options.abuseLimits ?? {},
    asDeployed: options.asDeployed && {
      cdkOut: options.asDeployed.cdkOut === undefined ? undefined : resolve(options.asDeployed.cdkOut),
      containerIdleSeconds: positive('containerIdleSeconds', options.asDeployed.containerIdleSeconds, DEFAULT_CONTAINER_IDLE_SECONDS),
    },
  };
}

/** Source mode only: the handler modules of this process keep the settings of the first gateway. */
let gatewayRunning = false;
let handlersLoaded = false;

export async function startLocalGateway(options: LocalGatewayOptions = {}): Promise<LocalGateway> {
  const settings = resolveSettings(options);
  if (settings.asDeployed) return start(settings);
  if (gatewayRunning) throw new Error('A local gateway is already running in this process');
  if (handlersLoaded) {
    throw new Error('A local gateway already ran in this process and its handlers keep its settings; start a new process');
  }
  gatewayRunning = true;
  try {
    const gateway = await start(settings);
    const close = gateway.close;
    return {
      ...gateway,
      close: () =>
        close().finally(() => {
          gatewayRunning = false;
        }),
    };
  } catch (error) {
    gatewayRunning = false;
    throw error;
  }
}

/** `{ [name]: value }` when the value is set, else nothing (for optional properties). */
function withValue<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  const trimmed = value?.trim();
  return trimmed ? ({ [name]: trimmed } as Partial<Record<K, string>>) : {};
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    const failed = (error: NodeJS.ErrnoException): void =>
      reject(
        error.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${host} is in use; pick another with --port`, { cause: error }) : error,
      );
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

/** A host others on this machine can dial: wildcard binds are reached through loopback. */
function dialableHost(address: string): string {
  if (isWildcardAddress(address)) return '127.0.0.1';
  return address.includes(':') ? `[${address}]` : address;
}

/** The deployed stack as the as-deployed mode runs it: read from the assembly before anything starts. */
async function readStack(
  asDeployed: NonNullable<Settings['asDeployed']>,
  log: GatewayLog,
): Promise<{ cdkOut: string; stack: DeployedStack }> {
  const started = Date.now();
  const { dir, synthesized } = await ensureCdkOut(asDeployed.cdkOut, () =>
    log.info('cdk_synthesizing', { cdk_out: DEFAULT_CDK_OUT, note: 'cdk.out is missing or older than the sources; this takes about 20 s' }),
  );
  if (synthesized) log.info('cdk_synthesized', { cdk_out: dir, ms: Date.now() - started });
  return { cdkOut: dir, stack: await readDeployedStack(dir, localAwsIdentity(API_ID)) };
}

async function start(settings: Settings): Promise<LocalGateway> {
  // The SDK warns once per process that its 2027 releases will need Node 22; the Lambda runtime is
  // Node 22 already and locally the warning is noise in every run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const problems: ProblemLine[] = [];
  const log = keepingProblems(createLog(settings.logLevel), (problem) => problems.push(problem));
  const deployed = settings.asDeployed ? await readStack(settings.asDeployed, log) : undefined;
  if (!deployed) {
    const missing = await findMissingEntries(PROJECT_ROOT, FUNCTIONS);
    if (missing.length > 0) throw new MissingHandlersError(missing);
  }
  const api = apiOnStage(deployed ? deployed.stack.stageName : STAGE);

  const undo: (() => Promise<void>)[] = [];
  try {
    const { secret, source: secretSource } = await loadSigningSecret({ dataDir: settings.dataDir, explicit: settings.jwtSecret });

    if (!settings.memory) {
      const lock = await lockDataDir(settings.dataDir);
      undo.push(() => lock.release());
    }
    const store = await startStore(settings.memory ? undefined : join(settings.dataDir, 'dynalite'), log);
    undo.push(() => store.close());
    await ensureTables(store.client, TABLES, log);

    // Requests that arrive before the handlers are loaded get 503.
    let handleRequest: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
    let handleUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
    let handleManagement: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
    const listeningOnLoopback = isLoopbackHostname(settings.host);
    // Set once the address is known; nothing is served before.
    let hosts: HostPolicy = { accepts: () => false };
    const failed = (request: IncomingMessage, response: ServerResponse) => (error: unknown) => {
      log.error('request_failed', { path: request.url, ...errorFields(error) });
      if (!response.headersSent) sendText(response, 500, 'Internal Server Error\n');
      else response.destroy();
    };
    const server = createServer((request, response) => {
      if (!hosts.accepts(request.headers.host)) return sendText(response, 403, 'Unrecognized Host header\n');
      if (!handleRequest) return sendText(response, 503, 'Starting\n');
      handleRequest(request, response).catch(failed(request, response));
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!hosts.accepts(request.headers.host)) return refuseUpgrade(socket, 403, '{"message":"Forbidden"}');
      if (!handleUpgrade) return refuseUpgrade(socket, 503, '{"message":"Service Unavailable"}');
      handleUpgrade(request, socket, head);
    });
    const address = await listen(server, settings.port, settings.host);
    undo.push(() => closeServer(server));
    hosts = hostPolicy({ bindAddress: address.address, allowedHosts: [settings.host, ...settings.allowedHosts] });
    const authority = `${dialableHost(address.address)}:${address.port}`;
    // The @connections API on a loopback port of its own: whatever --host says, it is never on the network.
    const management = await listenOnLoopback(
      createServer((request, response) => {
        if (!handleManagement) return sendText(response, 503, 'Starting\n');
        handleManagement(request, response).catch(failed(request, response));
      }),
    );
    undo.push(() => management.close());
    const managementEndpoint = `${management.url}/${api.stage}`;
    const whiteboardApi = apiOnStage(deployed ? (deployed.stack.whiteboardStageName ?? api.stage) : STAGE, WHITEBOARD_API_ID);
    let handleWhiteboardManagement: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
    const whiteboardManagement = await listenOnLoopback(
      createServer((request, response) => {
        if (!handleWhiteboardManagement) return sendText(response, 503, 'Starting\n');
        handleWhiteboardManagement(request, response).catch(failed(request, response));
      }),
    );
    undo.push(() => whiteboardManagement.close());
    const whiteboardManagementEndpoint = `${whiteboardManagement.url}/${whiteboardApi.stage}`;
    // The platform's backend API, like @connections, on a loopback port of its own.
    let handlePlatform: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
    const platform = await listenOnLoopback(
      createServer((request, response) => {
        if (!handlePlatform) return sendText(response, 503, 'Starting\n');
        handlePlatform(request, response).catch(failed(request, response));
      }),
      settings.platformPort,
    );
    undo.push(() => platform.close());
    const platformKey = await loadPlatformKey(settings.dataDir);
    // What a setting is: the gateway's option or environment, else (as deployed) the template's.
    const deployedSetting = (name: string, functionId: string): string | undefined =>
      // By the table entry: under the grouped layout its function is its group's.
      process.env[name] ?? deployed?.stack.functions.find((fn) => fn.members.some((member) => member.id === functionId))?.environment[name];
    const callPolicy = settings.callPolicy ?? parseCallPolicy(ENV.callPolicy, deployedSetting(ENV.callPolicy, 'call-invitation'));
    const issuance: GrantIssuance = {
      ...withValue('issuer', deployedSetting(ENV.tokenIssuer, 'authorizer')),
      ...withValue('audience', deployedSetting(ENV.tokenAudience, 'authorizer')),
    };

    const concurrency = functionConcurrency({
      configured: settings.functionConcurrency,
      queueDepth: settings.functionQueueDepth,
      ...(deployed ? { reserved: reservedConcurrency(deployed.stack) } : {}),
    });
    let functions: GatewayFunctions;
    let asDeployed: AsDeployedGateway | undefined;
    let managementAccess: ManagementAccess = { secretOf: acceptsLocalKey, identity: localAwsIdentity(API_ID), log };
    if (deployed && settings.asDeployed) {
      const running = await startDeployedFunctions({
        stack: deployed.stack,
        identity: localAwsIdentity(API_ID),
        storeEndpoint: store.endpoint,
        signingSecret: secret,
        managementEndpoint,
        whiteboardManagementEndpoint,
        overrides: handlerSettingOverrides(process.env, {
          sessionWaitLimitSeconds: settings.sessionWaitLimitSeconds,
          sessionRejoinGraceSeconds: settings.sessionRejoinGraceSeconds,
          ringTimeoutSeconds: settings.ringTimeoutGiven ? settings.ringTimeoutSeconds : undefined,
          resumeGraceSeconds: settings.resumeGraceGiven ? settings.resumeGraceSeconds : undefined,
          logLevel: settings.logLevelGiven ? settings.logLevel : undefined,
          callPolicy: settings.callPolicy,
          abuseLimits: settings.abuseLimits,
        }),
        concurrency,
        containerIdleSeconds: settings.asDeployed.containerIdleSeconds,
        log,
        keepProblem: (problem) => problems.push(problem),
      });
      // Runs after the sockets closed (see close): containers serve `$disconnect` until then.
      undo.push(() => running.close());
      functions = running.functions;
      managementAccess = { ...managementAccess, secretOf: running.secretOf, authorize: running.authorize };
      asDeployed = {
        cdkOut: deployed.cdkOut,
        stackName: deployed.stack.stackName,
        functions: deployed.stack.functions.map((fn) => fn.id),
        maxContainers: settings.functionConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY,
        containerIdleSeconds: settings.asDeployed.containerIdleSeconds,
        dynamodbProxyEndpoint: running.dynamodbEndpoint,
        secretsManagerEndpoint: running.secretsManagerEndpoint,
        signingSecretArn: deployed.stack.secretArn,
        credentialsOf: running.credentialsOf,
        containers: running.containers,
      };
    } else {
      applyHandlerEnvironment(
        handlerEnvironment({
          dynamodbEndpoint: store.endpoint,
          managementEndpoint,
          ringTimeoutSeconds: settings.ringTimeoutSeconds,
          resumeGraceSeconds: settings.resumeGraceSeconds,
          jwtSecret: secret,
        }),
      );
      applyHandlerEnvironment(abuseLimitEnvironment(settings.abuseLimits));
      applyHandlerEnvironment(sessionEnvironment(whiteboardManagementEndpoint, settings));
      if (settings.logLevelGiven) process.env[ENV.logLevel] = settings.logLevel;
      if (settings.callPolicy) process.env[ENV.callPolicy] = settings.callPolicy;
      handlersLoaded = true;
      functions = await loadFunctions(PROJECT_ROOT, FUNCTIONS);
    }

    const invoker = new Invoker(api, log, settings.functionTimeoutSeconds * 1000, concurrency);
    const websocketApi = new WebSocketApi({
      api,
      functions,
      invoker,
      log,
      limits: { idleTimeoutMs: settings.idleTimeoutSeconds * 1000, maxConnectionMs: settings.maxConnectionSeconds * 1000 },
    });
    const whiteboardSockets = new WebSocketApi({
      api: whiteboardApi,
      functions: { ...functions, routes: functions.whiteboardRoutes },
      invoker,
      log,
      limits: { idleTimeoutMs: settings.idleTimeoutSeconds * 1000, maxConnectionMs: settings.maxConnectionSeconds * 1000 },
      path: WHITEBOARD_LOCAL_PATH,
    });
    const sign = (claims: TokenClaims, ttlSeconds?: number) => signToken(secret, claims, ttlSeconds, issuance);
    const profileTypes = parseProfileTypes(deployedSetting(ENV.profileTypes, 'authorizer'));
    const devLogin = { enabled: settings.devLogin, profileTypes, sign };
    const grantTtlSeconds = Math.min(
      DEFAULT_CALL_GRANT_TTL_SECONDS,
      positiveNumber(
        ENV.callGrantMaxTtlSeconds,
        deployedSetting(ENV.callGrantMaxTtlSeconds, 'call-invitation'),
        DEFAULT_CALL_GRANT_MAX_TTL_SECONDS,
      ),
    );
    const devCallGrant = {
      enabled: settings.devLogin,
      profileTypes,
      callerOf: async (token: string) => {
        const verified = await verifyToken(secret, token, issuance);
        return { profile_id: verified.profileId, profile_type: verified.profileType };
      },
      signGrant: (claims: Parameters<typeof signCallGrant>[1]) => signCallGrant(secret, claims, grantTtlSeconds, new Date(), issuance),
    };
    const platformAccess: PlatformApiAccess = {
      key: platformKey,
      identity: localAwsIdentity(API_ID),
      api: { apiId: PLATFORM_API_ID, stage: PLATFORM_STAGE, accountId: api.accountId },
      log,
      // As deployed, the key is a session of a role holding the stack's invoke policy, and nothing more.
      ...(deployed ? { authorize: platformAuthorization(platformKey, deployed.stack.platformInvokeStatements, log) } : {}),
    };
    handlePlatform = (request, response) => handlePlatformRequest(request, response, functions.http, invoker, platformAccess);

    handleUpgrade = (request, socket, head) =>
      (isWhiteboardPath(request.url, whiteboardApi.stage) ? whiteboardSockets : websocketApi).handleUpgrade(request, socket, head);
    handleManagement = (request, response) => handleManagementRequest(request, response, api.stage, websocketApi, managementAccess);
    const whiteboardManagementAccess: ManagementAccess = { ...managementAccess, identity: localAwsIdentity(WHITEBOARD_API_ID) };
    handleWhiteboardManagement = (request, response) =>
      handleManagementRequest(request, response, whiteboardApi.stage, whiteboardSockets, whiteboardManagementAccess);
    const devSessionGrant = {
      enabled: settings.devLogin,
      profileTypes,
      earlyJoinSeconds: positiveNumber(
        ENV.sessionEarlyJoinSeconds,
        deployedSetting(ENV.sessionEarlyJoinSeconds, 'platform-session-grants'),
        DEFAULT_SESSION_EARLY_JOIN_SECONDS,
      ),
      memberOf: devCallGrant.callerOf,
      signGrant: (claims: Parameters<typeof signSessionGrant>[1], window: Parameters<typeof signSessionGrant>[2]) =>
        signSessionGrant(secret, claims, window, new Date(), issuance),
    };
    handleRequest = async (request, response) => {
      const { pathname } = new URL(request.url ?? '/', 'http://gateway.invalid');
      if (isManagementPath(pathname, api.stage)) {
        return sendNoRoute(
          request,
          response,
          'The @connections API is not served on this port: see the management endpoint the gateway prints (loopback only)',
        );
      }
      if (pathname === DEV_TOKEN_PATH) return handleDevToken(request, response, devLogin);
      if (pathname === DEV_CALL_GRANT_PATH) return handleDevCallGrant(request, response, devCallGrant);
      if (pathname === DEV_SESSION_GRANT_PATH) return handleDevSessionGrant(request, response, devSessionGrant);
      if (pathname === CONFIG_PATH) {
        return handleConfig(request, response, { devLogin: settings.devLogin, fallbackHost: authority, callPolicy });
      }
      return serveStatic(request, response, pathname, settings.webRoot);
    };

    const periodic: PeriodicTask[] = [
      ...functions.scheduled.map((fn) =>
        runPeriodically(settings.sweepIntervalMs, async () => {
          await invoker.invoke(fn, scheduledEvent(api, fn.id), 'schedule');
        }),
      ),
      runPeriodically(settings.ttlSweepIntervalMs, async () => {
        try {
          const deleted = await deleteExpiredItems(store.client, TABLES);
          if (deleted > 0) log.debug('expired_items_deleted', { count: deleted });
        } catch (error) {
          log.warn('ttl_sweep_failed', errorFields(error));
        }
      }),
    ];

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await Promise.all(periodic.map((task) => task.stop()));
        // Sockets first, while the store and the management API still answer `$disconnect`.
        await Promise.all([websocketApi.closeAll(CLOSE_GRACE_MS), whiteboardSockets.closeAll(CLOSE_GRACE_MS)]);
        await invoker.drain(DRAIN_MS);
        // The same steps that undo a failed start: containers, the HTTP server, the store, the data dir lock.
        for (const step of [...undo].reverse()) {
          await step().catch((error: unknown) => log.warn('shutdown_step_failed', errorFields(error)));
        }
        log.info('gateway_stopped');
      })());

    const gateway: LocalGateway = {
      httpUrl: `http://${authority}/`,
      websocketUrl: `ws://${authority}/`,
      whiteboardWebsocketUrl: `ws://${authority}${WHITEBOARD_LOCAL_PATH}`,
      whiteboardManagementEndpoint,
      managementEndpoint,
      stage: api.stage,
      secret,
      secretSource,
      dynamodbEndpoint: store.endpoint,
      dataDir: settings.dataDir,
      memory: settings.memory,
      host: settings.host,
      port: address.port,
      devLogin: settings.devLogin,
      signToken: sign,
      mode: asDeployed ? 'as-deployed' : 'source',
      concurrency,
      asDeployed,
      problems: () => [...problems],
      platformApiUrl: platform.url,
      platformKey,
      callPolicy,
      close,
    };
    log.info('gateway_started', {
      http_url: gateway.httpUrl,
      websocket_url: gateway.websocketUrl,
      management_endpoint: managementEndpoint,
      whiteboard_websocket_url: gateway.whiteboardWebsocketUrl,
      whiteboard_management_endpoint: whiteboardManagementEndpoint,
      platform_api_url: platform.url,
      call_policy: callPolicy,
      dynamodb_endpoint: store.endpoint,
      store: settings.memory ? 'memory' : join(settings.dataDir, 'dynalite'),
      secret_source: secretSource,
      dev_login: settings.devLogin,
      mode: gateway.mode,
      function_concurrency: settings.functionConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY,
      function_queue_depth: settings.functionQueueDepth,
      ...(asDeployed
        ? {
            cdk_out: asDeployed.cdkOut,
            functions: asDeployed.functions.length,
            max_containers: asDeployed.maxContainers,
            dynamodb_proxy: asDeployed.dynamodbProxyEndpoint,
          }
        : {}),
    });
    if (!listeningOnLoopback) {
      log.warn('listening_beyond_loopback', {
        host: settings.host,
        dev_login: settings.devLogin,
        note: settings.devLogin
          ? 'the page, the WebSocket API and dev sign-in (a token for any profile) are reachable by anyone on that network'
          : 'the page and the WebSocket API are reachable by anyone on that network; the management API and the store stay on loopback',
      });
    }
    return gateway;
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** Whether an upgrade is for the whiteboard API: its path, alone or under the stage. */
function isWhiteboardPath(url: string | undefined, stage: string): boolean {
  const { pathname } = new URL(url ?? '/', 'http://gateway.invalid');
  const under = (base: string): boolean => pathname === base || pathname === `${base}/`;
  return under(WHITEBOARD_LOCAL_PATH) || under(`/${stage}${WHITEBOARD_LOCAL_PATH}`);
}

/** Source mode: what the whiteboard handlers read besides the chat handlers' environment. */
function sessionEnvironment(
  whiteboardManagementEndpoint: string,
  settings: Pick<Settings, 'sessionWaitLimitSeconds' | 'sessionRejoinGraceSeconds'>,
): Record<string, string> {
  return {
    [ENV.whiteboardManagementEndpoint]: whiteboardManagementEndpoint,
    ...(settings.sessionWaitLimitSeconds !== undefined ? { [ENV.sessionWaitLimitSeconds]: String(settings.sessionWaitLimitSeconds) } : {}),
    ...(settings.sessionRejoinGraceSeconds !== undefined
      ? { [ENV.sessionRejoinGraceSeconds]: String(settings.sessionRejoinGraceSeconds) }
      : {}),
  };
}
