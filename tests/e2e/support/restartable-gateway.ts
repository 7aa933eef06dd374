/**
 * The real `npm start` gateway, as `isolated-gateway.ts` runs it, but one that a test can stop and
 * start again on the same port and the same on-disk store, as a developer restarts `npm start`.
 *
 * The loopback-only namespace belongs to a small holder process (it lives until its stdin closes,
 * so a test process killed mid-run leaves nothing behind); each run of the gateway joins it under
 * the same supervisor script as an isolated gateway, and Chromium joins it the same way.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { NamespaceMode } from './environment';
import { runIn, startedUrls, stop, SUPERVISOR, type IsolatedGateway, type StartedUrls } from './isolated-gateway';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const START_TIMEOUT_MS = 30_000;
/**
 * Holds the namespace: brings up `lo`, then waits for its stdin to close. It also gives the
 * namespace one link besides `lo`, a veth pair whose two ends are both inside it (TEST-NET-1
 * addresses): with `lo` alone Chromium counts itself offline (`navigator.onLine` false), and the
 * page would word every outage as the user's own network. Nothing can leave the namespace by it.
 */
const HOLDER = [
  'ip link set lo up || exit 1',
  'ip link add cs-veth0 type veth peer name cs-veth1 || exit 1',
  'ip addr add 192.0.2.1/30 dev cs-veth0 && ip addr add 192.0.2.2/30 dev cs-veth1 || exit 1',
  'ip link set cs-veth0 up && ip link set cs-veth1 up || exit 1',
  'exec cat >/dev/null',
].join('\n');

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export interface RestartableGatewayOptions {
  namespace: NamespaceMode;
  chromium: string;
  /** Extra CLI flags for `npm start`, for every run. */
  args?: string[];
}

export interface RestartableGateway extends IsolatedGateway {
  /**
   * Stops the gateway. `crash` kills it at once: no socket is closed cleanly and no `$disconnect`
   * runs. `graceful` is Ctrl-C: sockets are closed and their `$disconnect` runs.
   */
  stop(how: 'crash' | 'graceful'): Promise<void>;
  /**
   * Starts it again, same port, same data dir. Resolves with the time (ms since epoch, this
   * machine's clock) its `gateway_started` line names: from then on it accepts sockets.
   */
  start(): Promise<number>;
  /** Whether a run of the gateway is up (started and not stopped). */
  readonly running: boolean;
}

export async function startRestartableGateway(options: RestartableGatewayOptions): Promise<RestartableGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'callsignal-e2e-restart-'));
  const dataDir = join(dir, 'data');
  const holder = spawn('unshare', [...(options.namespace === 'root' ? ['-n'] : ['-r', '-n']), 'sh', '-c', HOLDER], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const holderPid = holder.pid;
  if (holderPid === undefined) throw new Error('could not start the namespace holder');
  const enter = options.namespace === 'root' ? `--net=/proc/${holderPid}/ns/net` : `--preserve-credentials -U -n -t ${holderPid}`;

  const log: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const remember = (line: string) => {
    log.push(line);
    if (log.length > 200) log.shift();
    for (const listener of listeners) listener(line);
  };

  let child: Child | undefined;
  let port = 0;
  let urls: StartedUrls | undefined;

  const run = async (): Promise<number> => {
    // On disk, not --memory: the store must outlive each run.
    const command = [process.execPath, '--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--data-dir', dataDir];
    const started = spawn('nsenter', [...enter.split(' '), '--', 'sh', '-c', SUPERVISOR, 'sh', ...command, ...(options.args ?? [])], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    child = started;
    const ready = new Promise<{ urls: StartedUrls; at: number }>((resolveStart, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gateway did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      createInterface({ input: started.stderr }).on('line', remember);
      createInterface({ input: started.stdout }).on('line', (line) => {
        remember(line);
        const found = startedUrls(line);
        if (!found) return;
        clearTimeout(timer);
        resolveStart({ urls: found, at: Date.parse((JSON.parse(line) as { time: string }).time) });
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the gateway exited (${code}) before it started:\n${log.slice(-20).join('\n')}`));
      });
    });
    const { urls: found, at } = await ready;
    urls = found;
    port = Number(new URL(found.httpUrl).port);
    return at;
  };

  const halt = async (how: 'crash' | 'graceful'): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    if (how === 'graceful') {
      await stop(running);
      return;
    }
    // Closing the supervisor's stdin makes it SIGKILL the gateway (see SUPERVISOR).
    const exited = new Promise<void>((resolveExit) => running.once('exit', () => resolveExit()));
    running.stdin.end();
    await exited;
  };

  const chromiumInNamespace = join(dir, 'chromium');
  try {
    await run();
    await writeFile(chromiumInNamespace, `#!/bin/sh\nexec nsenter ${enter} -- ${JSON.stringify(options.chromium)} "$@"\n`);
    await chmod(chromiumInNamespace, 0o755);
  } catch (error) {
    await halt('crash');
    holder.stdin.end();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const first = urls;
  if (!first) throw new Error('the gateway did not name its URLs');

  return {
    httpUrl: first.httpUrl,
    get platformApiUrl() {
      return urls?.platformApiUrl ?? first.platformApiUrl;
    },
    dataDir,
    inNamespace: (command) => runIn(enter, command),
    chromiumInNamespace,
    recentLog: () => [...log],
    onLogLine: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: halt,
    start: run,
    get running() {
      return child !== undefined;
    },
    close: async () => {
      await halt('graceful');
      holder.stdin.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
