/**
 * The real `npm start` gateway, run inside a fresh network namespace that has only a loopback
 * interface, with Chromium joining the same namespace. Both talk over that namespace's 127.0.0.1,
 * so media and signaling can never leave the machine, and each test file gets its own ports.
 *
 * The test process stays outside: it drives Chromium over a pipe (playwright's default), which
 * needs no network at all.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { NamespaceMode } from './environment';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const START_TIMEOUT_MS = 30_000;

/**
 * Runs inside the namespace: brings up `lo`, starts the gateway, passes SIGTERM on, and kills the
 * gateway when our stdin closes, so a test process killed mid-run leaves no gateway behind. (Kill,
 * not TERM: with the test process gone its stdout is a broken pipe, and a graceful shutdown that
 * logs would stall. Background jobs get /dev/null as stdin unless redirected, hence fd 3.)
 */
export const SUPERVISOR = [
  'ip link set lo up || exit 1',
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'gateway=$!',
  "trap 'kill -TERM $gateway 2>/dev/null' TERM INT",
  '{ cat >/dev/null; kill -KILL $gateway 2>/dev/null; } <&3 &',
  'wait $gateway',
  'wait $gateway',
].join('\n');

export interface IsolatedGatewayOptions {
  namespace: NamespaceMode;
  chromium: string;
  /** Extra CLI flags for `npm start`, for example `['--ring-timeout', '5']`. */
  args?: string[];
  /** Run in the network namespace of this process (one a test built) instead of a fresh loopback-only one. */
  joinNamespaceOf?: number;
}

export interface IsolatedGateway {
  /** The page, as Chromium (inside the namespace) reaches it. */
  httpUrl: string;
  /** The platform backend's API, reachable inside the namespace only (see `inNamespace`). */
  platformApiUrl: string;
  /** The gateway's data dir (its `platform-key.json` included), on this machine's file system. */
  dataDir: string;
  /** Runs a command inside the gateway's namespace, as the platform's backend would run beside it. */
  inNamespace(command: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** A script that runs Chromium inside the gateway's namespace: pass it as playwright's executablePath. */
  chromiumInNamespace: string;
  /** The gateway's last log lines, for failure reports. */
  recentLog(): string[];
  /** Calls `listener` with every log line from now on (stdout and stderr); returns the unsubscribe. */
  onLogLine(listener: (line: string) => void): () => void;
  close(): Promise<void>;
}

export async function startIsolatedGateway(options: IsolatedGatewayOptions): Promise<IsolatedGateway> {
  const root = options.namespace === 'root';
  const existing = options.joinNamespaceOf;
  const [launch, launchArgs]: [string, string[]] =
    existing === undefined
      ? ['unshare', root ? ['-n'] : ['-r', '-n']]
      : ['nsenter', root ? [`--net=/proc/${existing}/ns/net`] : ['--preserve-credentials', '-U', '-n', '-t', String(existing)]];
  // Its own data dir: never the developer's `.data/` (its secret, or the lock of a running `npm start`).
  const dir = await mkdtemp(join(tmpdir(), 'callsignal-e2e-'));
  // Exactly what `npm start` runs (tsx infra/local/main.ts), in memory, on a free port of the namespace.
  const command = [
    process.execPath,
    '--import',
    'tsx',
    'infra/local/main.ts',
    '--port',
    '0',
    '--memory',
    '--data-dir',
    join(dir, 'data'),
    ...(options.args ?? []),
  ];
  const child = spawn(launch, [...launchArgs, 'sh', '-c', SUPERVISOR, 'sh', ...command], {
    cwd: ROOT,
    // stdin stays open for the supervisor: it closes when this process dies, however it dies.
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });

  const log: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const remember = (line: string) => {
    log.push(line);
    if (log.length > 200) log.shift();
    for (const listener of listeners) listener(line);
  };
  const started = new Promise<StartedUrls>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the gateway did not start within ${START_TIMEOUT_MS} ms:\n${log.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    // Both streams are read to the end, or the gateway would block once a pipe buffer fills.
    createInterface({ input: child.stderr }).on('line', remember);
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line);
      const urls = startedUrls(line);
      if (urls) {
        clearTimeout(timer);
        resolveUrl(urls);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}) before it started:\n${log.join('\n')}`));
    });
  });
  let urls: StartedUrls;
  try {
    urls = await started;
  } catch (error) {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const chromiumInNamespace = join(dir, 'chromium');
  const enter = options.namespace === 'root' ? `--net=/proc/${child.pid}/ns/net` : `--preserve-credentials -U -n -t ${child.pid}`;
  await writeFile(chromiumInNamespace, `#!/bin/sh\nexec nsenter ${enter} -- ${JSON.stringify(options.chromium)} "$@"\n`);
  await chmod(chromiumInNamespace, 0o755);

  return {
    ...urls,
    dataDir: join(dir, 'data'),
    inNamespace: (command) => runIn(enter, command),
    chromiumInNamespace,
    recentLog: () => [...log],
    onLogLine: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface StartedUrls {
  httpUrl: string;
  platformApiUrl: string;
}

export function startedUrls(line: string): StartedUrls | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; http_url?: unknown; platform_api_url?: unknown };
    if (entry.msg !== 'gateway_started' || typeof entry.http_url !== 'string' || typeof entry.platform_api_url !== 'string')
      return undefined;
    return { httpUrl: entry.http_url, platformApiUrl: entry.platform_api_url };
  } catch {
    return undefined;
  }
}

/** Runs `command` in the namespace `enter` (nsenter's arguments) names, to its end. */
export function runIn(enter: string, command: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('nsenter', [...enter.split(' '), '--', ...command], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

export async function stop(child: ChildProcessByStdio<Writable, Readable, Readable>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
