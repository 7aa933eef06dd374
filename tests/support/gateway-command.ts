/**
 * `npm start` as an operator runs it, as a child process of its own (node itself, not the tsx
 * launcher, so a signal reaches the gateway alone): what it printed, and what its sockets answer.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { DEV_TOKEN_PATH } from '../../shared/client-config';
import { ENV } from '../../shared/env';
import { eventually } from '../gateway/helpers';
import { TestSocket } from './test-socket';

const START_TIMEOUT_MS = 40_000;

type Gateway = ChildProcessByStdio<null, Readable, Readable>;

export interface Started {
  child: Gateway;
  httpUrl: string;
  websocketUrl: string;
  dataDir: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const running: Gateway[] = [];
const dirs: string[] = [];

/** Kills every gateway `startGatewayCommand` started (with its process group) and removes their dirs. */
export async function stopGatewayCommands(): Promise<void> {
  for (const child of running.splice(0)) {
    // Its own process group: whatever it started goes too.
    if (child.pid !== undefined)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** A directory removed by `stopGatewayCommands`. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export async function startGatewayCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const dataDir = await scratchDir('gateway-command-');
  const childEnv = { ...env };
  for (const name of [ENV.jwtSecret, ENV.logLevel, ENV.turnUrls, ENV.turnSecret]) delete childEnv[name];
  // node itself rather than the tsx launcher, so the process killed below is the gateway itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/main.ts', '--port', '0', '--memory', '--data-dir', dataDir, ...args],
    {
      cwd: PROJECT_ROOT,
      env: childEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const urls = await new Promise<{ http_url: string; websocket_url: string }>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${stderr}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before starting: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('"gateway_started"')) return;
      clearTimeout(timer);
      resolveStart(JSON.parse(line) as { http_url: string; websocket_url: string });
    });
  });
  return { child, httpUrl: urls.http_url, websocketUrl: urls.websocket_url, dataDir, stderr: () => stderr, exited };
}

export async function iceServersOf(gateway: Started): Promise<{ urls: string | string[]; username?: string; credential?: string }[]> {
  const response = await fetch(new URL(DEV_TOKEN_PATH, gateway.httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile_id: 77, profile_type: 'student', name: 'Turn Tester' }),
  });
  const { token } = (await response.json()) as { token: string };
  const socket = await TestSocket.open(gateway.websocketUrl, token);
  try {
    socket.send({ type: 'ice_servers' });
    return (await socket.next('ice_servers', () => true, 10_000)).ice_servers;
  } finally {
    socket.ws.close();
  }
}

/** What it printed for people, once the banner is complete (it follows the start line). */
export async function bannerOf(gateway: Started): Promise<string> {
  return eventually(
    async () => gateway.stderr(),
    (text) => text.includes('Ctrl+C stops it.'),
    10_000,
  );
}

/** The pids of `parent`'s children running `name`, from /proc. */
export async function childrenNamed(parent: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
    if (match && match[1] === name && Number(match[3]) === parent) found.push(Number(entry));
  }
  return found;
}

/** Gone, or a zombie nobody reaped yet (it holds no sockets either way). */
export async function processGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || /^\d+ \(.*\) Z /.test(stat);
}
