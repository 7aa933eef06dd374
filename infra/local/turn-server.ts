/**
 * `npm start -- --turn`: Debian's coturn (`turnserver`) as the local TURN server, started and
 * stopped with the gateway. It listens on one address (127.0.0.1 unless told otherwise) and a free
 * port, relays from a port range outside the kernel's ephemeral range, and accepts only the
 * short-lived TURN REST credentials the handlers mint from the shared secret in the data dir.
 *
 * It dies with the gateway however the gateway ends: `setpriv --pdeathsig` has the kernel kill it
 * when the thread that started it exits (spawn runs on Node's main thread, which lives as long as
 * the process), even on SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV } from '../../shared/env';
import { freeUdpAndTcpPort } from './free-port';
import type { GatewayLog } from './log';
import { stunAnswers } from './stun-probe';
import { loadTurnSecret } from './turn-secret';

export const TURN_BINARY = 'turnserver';
export const TURN_INSTALL_COMMAND = 'sudo apt-get install coturn';
export const DEFAULT_TURN_ADDRESS = '127.0.0.1';
/** Above Linux's default ephemeral range (32768-60999), so relays never collide with outgoing sockets. */
const RELAY_PORTS_FROM = 61_000;
const RELAY_PORTS_TO = 65_535;
const RELAY_PORT_COUNT = 200;
/** Generous: it answers within a second, but the machine may be loaded. */
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;

export class TurnServerMissingError extends Error {
  constructor() {
    super(`TURN is off: coturn's ${TURN_BINARY} is not installed (${TURN_INSTALL_COMMAND}); calls use direct paths only`);
  }
}

export interface TurnServerOptions {
  dataDir: string;
  /** Where it listens for clients. Default 127.0.0.1. */
  listenAddress?: string;
  /** Where its relayed ports are. Default: the listen address. */
  relayAddress?: string;
  log: GatewayLog;
  /** Default: `turnserver` on PATH. */
  binary?: string;
}

export interface LocalTurnServer {
  /** What `ice_servers` offers, UDP first. */
  urls: readonly string[];
  secretPath: string;
  listenAddress: string;
  relayAddress: string;
  port: number;
  relayPorts: { min: number; max: number };
  /** `TURN_URLS` and `TURN_SECRET`, for the handlers. */
  handlerEnvironment: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary's path on PATH, or undefined when it is not installed. */
export function findTurnBinary(name = TURN_BINARY, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((directory) => join(directory, name))
    .find(isExecutable);
}

function relayPortRange(): { min: number; max: number } {
  const min = RELAY_PORTS_FROM + Math.floor(Math.random() * (RELAY_PORTS_TO - RELAY_PORTS_FROM - RELAY_PORT_COUNT));
  return { min, max: min + RELAY_PORT_COUNT - 1 };
}

/** The whole configuration, secret included, in an owner-only file rather than on a command line others can read. */
function configuration(input: {
  address: string;
  relayAddress: string;
  port: number;
  relayPorts: { min: number; max: number };
  secret: string;
  runDir: string;
}): string {
  const loopback = [input.address, input.relayAddress].some((address) => address.startsWith('127.') || address === '::1');
  return [
    `listening-ip=${input.address}`,
    `relay-ip=${input.relayAddress}`,
    `listening-port=${input.port}`,
    `min-port=${input.relayPorts.min}`,
    `max-port=${input.relayPorts.max}`,
    'use-auth-secret',
    `static-auth-secret=${input.secret}`,
    'realm=callsignal.local',
    'fingerprint',
    // Plain TURN over UDP and TCP is what browsers need here; TLS would need a certificate.
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'no-software-attribute',
    // On loopback both peers' relays are loopback addresses, which coturn refuses unless told.
    ...(loopback ? ['allow-loopback-peers'] : []),
    'log-file=stdout',
    'simple-log',
    `pidfile=${join(input.runDir, 'turnserver.pid')}`,
    `userdb=${join(input.runDir, 'turndb')}`,
    '',
  ].join('\n');
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

export async function startTurnServer(options: TurnServerOptions): Promise<LocalTurnServer> {
  const binary = findTurnBinary(options.binary);
  if (!binary) throw new TurnServerMissingError();
  const address = options.listenAddress ?? DEFAULT_TURN_ADDRESS;
  const relayAddress = options.relayAddress ?? address;
  const { secret, path: secretPath } = await loadTurnSecret(options.dataDir);
  const port = await freeUdpAndTcpPort(address);
  const relayPorts = relayPortRange();
  const runDir = await mkdtemp(join(tmpdir(), 'callsignal-turn-'));
  const configPath = join(runDir, 'turnserver.conf');
  await writeFile(configPath, configuration({ address, relayAddress, port, relayPorts, secret, runDir }), { mode: 0o600 });

  const recent: string[] = [];
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', binary, '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<string>((resolveExit) => {
    child.once('error', (error) => resolveExit(error.message));
    child.once('exit', (code, signal) => resolveExit(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      // coturn is chatty; only its complaints are worth the gateway's log.
      if (/\berror\b/i.test(line)) options.log.warn('turn_server_says', { line });
    });
  }
  let stopped = false;
  void exited.then((reason) => {
    if (!stopped) options.log.error('turn_server_exited', { reason, recent_output: recent.slice(-10) });
  });
  const close = async (): Promise<void> => {
    stopped = true;
    await stopProcess(child);
    await rm(runDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let ready = false;
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  while (!ready && exitReason === undefined && Date.now() < deadline) {
    ready = await stunAnswers(address, port, 200);
    if (!ready) await sleep(100);
  }
  if (!ready) {
    await close();
    const why = exitReason ?? `no STUN answer on ${address}:${port} within ${START_TIMEOUT_MS} ms`;
    throw new Error(`coturn did not start (${why}):\n${recent.join('\n')}`);
  }

  const host = isIPv6(address) ? `[${address}]` : address;
  const urls = [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`];
  return {
    urls,
    secretPath,
    listenAddress: address,
    relayAddress,
    port,
    relayPorts,
    handlerEnvironment: { [ENV.turnUrls]: urls.join(','), [ENV.turnSecret]: secret },
    close,
  };
}
