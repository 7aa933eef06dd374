/**
 * `npm start`: the whole service on this machine, on one port. Stdout carries one JSON object per
 * line (gateway and handlers alike); the human-readable banner goes to stderr.
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { readAbuseLimits, type AbuseLimitName, type AbuseLimitSettings } from '../../shared/abuse-limits';
import { ENV } from '../../shared/env';
import { parseCallPolicy, type CallPolicy } from '../../shared/call-policy';
import { positiveNumber, wholeNumber } from '../../shared/settings';
import { describeBuild, ensureWebClientBuilt } from '../../web/build';
import {
  DevLoginBeyondLoopbackError,
  MissingHandlersError,
  startLocalGateway,
  type LocalGateway,
  type LocalGatewayOptions,
} from './gateway';
import { isLoopbackHostname } from './host-check';
import { createLog, errorFields, logLevelFromEnvironment, type GatewayLog } from './log';
import { DEFAULT_DATA_DIR } from './paths';
import { DEFAULT_TURN_ADDRESS, startTurnServer, TurnServerMissingError, type LocalTurnServer } from './turn-server';

const USAGE = `Usage: npm start -- [options]

Runs the call-signaling service locally: the WebSocket API, the web client, and an embedded store.

Options:
  --port N             HTTP and WebSocket port (env PORT; default 8080; 0 picks a free one)
  --host ADDR          address to listen on (env HOST; default 127.0.0.1); beyond loopback, say
                       --dev-login or --no-dev-login too (the store and the @connections API
                       always stay on loopback)
  --allowed-host NAME  a name the page is reached by besides loopback names and the bound
                       address (repeatable); requests for any other Host are refused
  --memory             keep the store in memory instead of on disk
  --data-dir DIR       where the store and the signing secret live (default .data)
  --ring-timeout S     seconds an invitation rings (env RING_TIMEOUT_SECONDS; default 45)
  --resume-grace S     seconds a dropped party has to resume a call (env RESUME_GRACE_SECONDS; default 60)
  --session-wait-limit S   seconds a whiteboard session call waits for the other member (env SESSION_WAIT_LIMIT_SECONDS; default 900)
  --session-rejoin-grace S seconds both members of a session call may be gone (env SESSION_REJOIN_GRACE_SECONDS; default 60)
  --platform-port N    the platform backend's API on 127.0.0.1 (default 0: a free one, printed below)
  --call-policy P      who may call whom: open (any profile) or conversation (a call needs the
                       platform's call grant) (env CALL_POLICY; default open)
  --sockets-per-profile N
                       sockets one profile may hold open; a new one beyond it closes the
                       oldest (env SOCKETS_PER_PROFILE; default 10)
  --pair-ring-limit N  unanswered rings from one caller to one callee in any window
                       (env PAIR_RING_LIMIT; default 3)
  --pair-ring-window S that window, in seconds (env PAIR_RING_WINDOW_SECONDS; default 600)
  --idle-timeout S     close sockets silent this long (default 600)
  --max-connection S   close every socket after this long (default 7200)
  --function-concurrency N
                       invocations of one function running at once, as Lambda's concurrency
                       limit (env FUNCTION_CONCURRENCY; default: as deployed the template's
                       ReservedConcurrentExecutions, else 10); beyond it they wait in order
  --function-queue N   invocations of one function that may wait; one more is throttled and its
                       client gets API Gateway's "Internal server error" (env FUNCTION_QUEUE_DEPTH;
                       default 10000; 0: none wait, as on Lambda)
  --no-dev-login       turn off POST /dev/token
  --dev-login          keep POST /dev/token on beyond loopback (a token for any profile, for
                       anyone who can reach the port)
  --quiet              only warnings and errors (LOG_LEVEL sets the level otherwise)
  --as-deployed        run the synthesized bundles (cdk.out) in Lambda-like containers, one
                       process per container, with the template's IAM enforced on every AWS call
                       (synthesizes first when cdk.out is missing or older than its sources)
  --cdk-out DIR        with --as-deployed: this cloud assembly, used as it is
  --max-containers N   with --as-deployed: containers per function at most, the same limit as
                       --function-concurrency (give either)
  --container-idle S   with --as-deployed: recycle a container idle this long (default 300)
  --turn               run a TURN server (coturn's turnserver, started and stopped with the
                       gateway) and hand out short-lived credentials for it in ice_servers
                       (sets TURN_URLS and TURN_SECRET; the secret is kept in the data dir)
  --turn-address ADDR  with --turn: the address it listens on (default 127.0.0.1)
  --turn-relay-address ADDR
                       with --turn: the address its relayed ports are on (default: --turn-address)
  --help               show this help

The handlers' own settings (PROFILE_TYPES, STUN_URLS, TURN_URLS, TURN_SECRET, JWT_SECRET, the
RATE_LIMIT_* rates, …) are read from the environment as on AWS.
`;

class UsageError extends Error {}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    // An empty value is a mistake here, not "unset": the flag was given.
    return positiveNumber(flag, value.trim() === '' ? Number.NaN : value, Number.NaN);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The abuse limits that have flags; the handlers read every one from the environment too. */
const ABUSE_LIMIT_FLAGS = {
  socketsPerProfile: 'sockets-per-profile',
  pairRingLimit: 'pair-ring-limit',
  pairRingWindowSeconds: 'pair-ring-window',
} as const satisfies Partial<Record<AbuseLimitName, string>>;

type AbuseLimitFlagValues = Partial<Record<(typeof ABUSE_LIMIT_FLAGS)[keyof typeof ABUSE_LIMIT_FLAGS], string>>;

function abuseLimitFlags(values: AbuseLimitFlagValues): AbuseLimitSettings {
  const flags: Partial<Record<AbuseLimitName, keyof AbuseLimitFlagValues>> = ABUSE_LIMIT_FLAGS;
  try {
    return readAbuseLimits(
      (name) => `--${flags[name] ?? name}`,
      (name) => {
        const flag = flags[name];
        const value = flag === undefined ? undefined : values[flag];
        // An empty value is a mistake here, not "unset": the flag was given.
        return value !== undefined && value.trim() === '' ? Number.NaN : value;
      },
    );
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `{ [name]: value }` for a whole-number flag that was given (the gateway reads its environment otherwise). */
function wholeFlag<K extends string>(name: K, flag: string, text: string | undefined, least: number): Partial<Record<K, number>> {
  if (text === undefined) return {};
  try {
    // An empty value is a mistake here, not "unset": the flag was given.
    const value = wholeNumber(flag, text.trim() === '' ? Number.NaN : text, least);
    return value === undefined ? {} : ({ [name]: value } as Partial<Record<K, number>>);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

interface StartOptions {
  gateway: LocalGatewayOptions;
  /** Set with --turn. */
  turn: { address: string; relayAddress: string } | undefined;
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): StartOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      memory: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'ring-timeout': { type: 'string' },
      'resume-grace': { type: 'string' },
      'session-wait-limit': { type: 'string' },
      'session-rejoin-grace': { type: 'string' },
      'call-policy': { type: 'string' },
      'platform-port': { type: 'string' },
      'sockets-per-profile': { type: 'string' },
      'pair-ring-limit': { type: 'string' },
      'pair-ring-window': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-connection': { type: 'string' },
      'function-concurrency': { type: 'string' },
      'function-queue': { type: 'string' },
      'no-dev-login': { type: 'boolean' },
      'dev-login': { type: 'boolean' },
      'allowed-host': { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      'as-deployed': { type: 'boolean' },
      'cdk-out': { type: 'string' },
      'max-containers': { type: 'string' },
      'container-idle': { type: 'string' },
      turn: { type: 'boolean' },
      'turn-address': { type: 'string' },
      'turn-relay-address': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const portText = values.port ?? env.PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new UsageError(`--port needs 0-65535, got "${portText}"`);
  const asDeployed = values['as-deployed'] ?? false;
  for (const flag of ['cdk-out', 'max-containers', 'container-idle'] as const) {
    if (values[flag] !== undefined && !asDeployed) throw new UsageError(`--${flag} needs --as-deployed`);
  }
  for (const flag of ['turn-address', 'turn-relay-address'] as const) {
    if (values[flag] === undefined) continue;
    if (!values.turn) throw new UsageError(`--${flag} needs --turn`);
    if (isIP(values[flag]) === 0) throw new UsageError(`--${flag} needs an IP address, got "${values[flag]}"`);
  }
  const turnAddress = values['turn-address'] ?? DEFAULT_TURN_ADDRESS;
  const turnRelayAddress = values['turn-relay-address'] ?? turnAddress;
  const host = values.host ?? env.HOST;
  if (values['dev-login'] && values['no-dev-login']) throw new UsageError('--dev-login and --no-dev-login contradict each other');
  const devLogin = values['dev-login'] ? true : values['no-dev-login'] ? false : undefined;
  // Checked before anything starts: the gateway must not listen beyond loopback even for a moment.
  if (devLogin === undefined && host !== undefined && !isLoopbackHostname(host))
    throw new UsageError(new DevLoginBeyondLoopbackError(host).message);
  const platformPortText = values['platform-port'];
  const platformPort = platformPortText === undefined ? undefined : Number(platformPortText);
  if (platformPort !== undefined && (!Number.isInteger(platformPort) || platformPort < 0 || platformPort > 65535))
    throw new UsageError(`--platform-port needs 0-65535, got "${platformPortText}"`);
  const callPolicyText = values['call-policy'];
  let callPolicy: CallPolicy | undefined;
  try {
    callPolicy =
      callPolicyText === undefined ? undefined : parseCallPolicy('--call-policy', callPolicyText.trim() === '' ? '?' : callPolicyText);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const maxContainers = values['max-containers'] === undefined ? undefined : Number(values['max-containers']);
  if (maxContainers !== undefined && (!Number.isInteger(maxContainers) || maxContainers < 1)) {
    throw new UsageError(`--max-containers needs a whole number of at least 1, got "${values['max-containers']}"`);
  }
  const gateway: LocalGatewayOptions = {
    port,
    host,
    allowedHosts: values['allowed-host'] ?? [],
    memory: values.memory ?? false,
    dataDir: values['data-dir'],
    ringTimeoutSeconds: seconds('--ring-timeout', values['ring-timeout'] ?? env[ENV.ringTimeoutSeconds]),
    resumeGraceSeconds: seconds('--resume-grace', values['resume-grace'] ?? env[ENV.resumeGraceSeconds]),
    sessionWaitLimitSeconds: seconds('--session-wait-limit', values['session-wait-limit'] ?? env[ENV.sessionWaitLimitSeconds]),
    sessionRejoinGraceSeconds: seconds('--session-rejoin-grace', values['session-rejoin-grace'] ?? env[ENV.sessionRejoinGraceSeconds]),
    abuseLimits: abuseLimitFlags(values),
    idleTimeoutSeconds: seconds('--idle-timeout', values['idle-timeout']),
    maxConnectionSeconds: seconds('--max-connection', values['max-connection']),
    ...wholeFlag('functionConcurrency', '--function-concurrency', values['function-concurrency'], 1),
    ...wholeFlag('functionQueueDepth', '--function-queue', values['function-queue'], 0),
    ...(devLogin === undefined ? {} : { devLogin }),
    ...(callPolicy === undefined ? {} : { callPolicy }),
    ...(platformPort === undefined ? {} : { platformPort }),
    quiet: values.quiet ?? false,
    ...(asDeployed
      ? {
          asDeployed: {
            cdkOut: values['cdk-out'],
            maxContainers,
            containerIdleSeconds: seconds('--container-idle', values['container-idle']),
          },
        }
      : {}),
  };
  return { gateway, turn: values.turn ? { address: turnAddress, relayAddress: turnRelayAddress } : undefined };
}

/** Relative to where the command ran when inside it, else absolute. */
function displayPath(path: string): string {
  const nearby = relative(process.cwd(), path);
  return nearby === '' ? '.' : nearby.startsWith('..') || isAbsolute(nearby) ? path : nearby;
}

function modeLines(gateway: LocalGateway): string[] {
  const { asDeployed } = gateway;
  if (!asDeployed) return ['  Handlers:   the sources in lambdas/, in this process (--as-deployed runs the bundles)'];
  return [
    `  Handlers:   as deployed: ${asDeployed.functions.length} functions from the bundles in ${displayPath(asDeployed.cdkOut)},`,
    `              each in containers of its own (at most ${asDeployed.maxContainers}, recycled after ${asDeployed.containerIdleSeconds} s idle),`,
    `              with the template's IAM enforced on DynamoDB, Secrets Manager and @connections`,
  ];
}

function policyNote(gateway: LocalGateway): string {
  if (gateway.callPolicy !== 'conversation') return ' (any signed-in profile may ring any other)';
  return gateway.devLogin
    ? ' (a call needs a call grant: the page asks POST /dev/call-grant)'
    : " (a call needs the platform's call grant)";
}

function turnLine(turn: LocalTurnServer | undefined): string[] {
  if (!turn) return [];
  return [
    `  TURN:       ${turn.urls.join(', ')}`,
    `              (coturn, relaying from ${turn.relayAddress} ports ${turn.relayPorts.min}-${turn.relayPorts.max}; ice_servers hands out`,
    `              short-lived credentials made with the secret in ${displayPath(turn.secretPath)})`,
  ];
}

function banner(gateway: LocalGateway, turn: LocalTurnServer | undefined): string {
  const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const dataDirArgument = gateway.dataDir === DEFAULT_DATA_DIR ? '' : ` --data-dir ${shellQuote(displayPath(gateway.dataDir))}`;
  const sample = { profile_id: 456, profile_type: 'student', name: 'John Doe' };
  const lines = [
    '',
    'Call signaling is running locally.',
    `  Page:       ${gateway.httpUrl}`,
    `  WebSocket:  ${gateway.websocketUrl}?token=<JWT>`,
    `  Management: ${gateway.managementEndpoint}/@connections (loopback only; SigV4-signed with ${gateway.asDeployed ? "a function's own key, checked against its IAM" : 'the local key'})`,
    `  Store:      ${gateway.memory ? 'in memory (gone on exit)' : displayPath(join(gateway.dataDir, 'dynalite'))}`,
    `  Platform:   ${gateway.platformApiUrl} (the platform backend's API, loopback only; SigV4 for execute-api, us-east-1,`,
    `              with the key in ${displayPath(gateway.platformKey.path)})`,
    `  Calls:      policy ${gateway.callPolicy}${policyNote(gateway)}`,
    ...modeLines(gateway),
    ...turnLine(turn),
    '',
    'Get a token:',
    ...(gateway.devLogin
      ? [`  curl -s -X POST ${gateway.httpUrl}dev/token -H 'content-type: application/json' -d ${shellQuote(JSON.stringify(sample))}`]
      : []),
    `  npm run token -- --profile-type student --profile-id 456 --name "John Doe"${dataDirArgument}`,
    ...(gateway.secretSource === 'environment' || gateway.secretSource === 'option'
      ? [`  (tokens are signed with ${ENV.jwtSecret}: give npm run token the same value)`]
      : []),
    '',
    'Ctrl+C stops it.',
    '',
  ];
  return lines.join('\n');
}

/**
 * Starts coturn and points the handlers at it (they read TURN_URLS and TURN_SECRET as on AWS; as
 * deployed, the containers get them as overrides of the template's). Missing coturn is not fatal.
 */
async function startTurn(
  addresses: NonNullable<StartOptions['turn']>,
  dataDir: string,
  log: GatewayLog,
): Promise<LocalTurnServer | undefined> {
  try {
    const turn = await startTurnServer({ dataDir, listenAddress: addresses.address, relayAddress: addresses.relayAddress, log });
    Object.assign(process.env, turn.handlerEnvironment);
    log.info('turn_started', { turn_urls: turn.urls, relay: `${turn.relayAddress}:${turn.relayPorts.min}-${turn.relayPorts.max}` });
    return turn;
  } catch (error) {
    if (!(error instanceof TurnServerMissingError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  let parsed: StartOptions | 'help';
  try {
    parsed = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const options = parsed.gateway;
  const log = createLog(options.quiet ? 'warn' : (logLevelFromEnvironment() ?? 'info'));

  // A handler's stray promise must not take the whole service down (on AWS it would only end one invocation).
  process.on('unhandledRejection', (reason) => log.error('unhandled_rejection', errorFields(reason)));
  process.on('uncaughtException', (error) => log.error('uncaught_exception', errorFields(error)));

  // The page is part of `npm start`: build the client when its sources changed (a no-op otherwise).
  if (options.webRoot === undefined) {
    try {
      const built = await ensureWebClientBuilt();
      if (built) process.stderr.write(describeBuild(built));
    } catch (error) {
      log.error('web_build_failed', errorFields(error));
    }
  }

  let turn: LocalTurnServer | undefined;
  if (parsed.turn) {
    try {
      turn = await startTurn(parsed.turn, resolve(options.dataDir ?? DEFAULT_DATA_DIR), log);
    } catch (error) {
      process.stderr.write(`Could not start the TURN server.\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }

  let gateway: LocalGateway;
  try {
    gateway = await startLocalGateway(options);
  } catch (error) {
    await turn?.close();
    const detail =
      error instanceof MissingHandlersError
        ? `These handler modules do not exist yet:\n${error.missing.map((entry) => `  ${entry}`).join('\n')}`
        : error instanceof Error
          ? [error.message, error.cause instanceof Error ? `  (${error.cause.message})` : ''].filter(Boolean).join('\n')
          : String(error);
    process.stderr.write(`Could not start the local gateway.\n${detail}\n`);
    process.exit(1);
  }
  process.stderr.write(banner(gateway, turn));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl+C means now.
      process.exit(130);
    }
    stopping = true;
    log.info('gateway_stopping', { signal });
    gateway
      .close()
      .then(() => turn?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('shutdown_failed', errorFields(error));
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
