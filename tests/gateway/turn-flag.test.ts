/**
 * `npm start -- --turn`, run as an operator runs it (a child process): coturn beside the gateway,
 * credentials for it in `ice_servers`, and no coturn left behind however the gateway ends.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { stunAnswers } from '../../infra/local/stun-probe';
import { findTurnBinary } from '../../infra/local/turn-server';
import { TURN_SECRET_FILE } from '../../infra/local/turn-secret';
import { ENV } from '../../shared/env';
import { DEV_TOKEN_PATH } from '../../shared/client-config';
import { TestSocket } from '../support/test-socket';
import { eventually } from './helpers';

const TEST_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 40_000;

type Gateway = ChildProcessByStdio<null, Readable, Readable>;

interface Started {
  child: Gateway;
  httpUrl: string;
  websocketUrl: string;
  dataDir: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const running: Gateway[] = [];
const dirs: string[] = [];

afterEach(async () => {
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
});

async function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'turn-flag-'));
  dirs.push(dataDir);
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

async function iceServersOf(gateway: Started): Promise<{ urls: string | string[]; username?: string; credential?: string }[]> {
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
async function bannerOf(gateway: Started): Promise<string> {
  return eventually(
    async () => gateway.stderr(),
    (text) => text.includes('Ctrl+C stops it.'),
    10_000,
  );
}

/** The pids of `parent`'s children running `name`, from /proc. */
async function childrenNamed(parent: number, name: string): Promise<number[]> {
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
async function processGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || /^\d+ \(.*\) Z /.test(stat);
}

describe.runIf(findTurnBinary() !== undefined)('npm start -- --turn', () => {
  it(
    'hands out credentials for its own coturn in ice_servers, made with the secret kept in the data dir',
    async () => {
      const gateway = await start(['--turn']);
      expect(await bannerOf(gateway)).toMatch(/TURN: +turn:127\.0\.0\.1:\d+\?transport=udp/);
      const servers = await iceServersOf(gateway);
      const turn = servers.find((server) => [server.urls].flat().some((url) => url.startsWith('turn:')));
      expect(turn).toBeDefined();
      const urls = [turn?.urls ?? []].flat();
      expect(urls).toEqual([expect.stringMatching(/^turn:127\.0\.0\.1:\d+\?transport=udp$/), expect.stringMatching(/\?transport=tcp$/)]);
      // TURN REST credentials: `expiry:who`, and the HMAC of it with the shared secret.
      const secret = (await readFile(join(gateway.dataDir, TURN_SECRET_FILE), 'utf8')).trim();
      expect(turn?.username).toMatch(/^\d+:/);
      expect(turn?.credential).toBe(
        createHmac('sha1', secret)
          .update(turn?.username ?? '')
          .digest('base64'),
      );
      // And a TURN server answers there.
      const port = Number(/:(\d+)\?/.exec(urls[0] ?? '')?.[1]);
      expect(await stunAnswers('127.0.0.1', port, 2_000)).toBe(true);

      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect(await stunAnswers('127.0.0.1', port, 500)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves no coturn behind when the gateway is killed outright',
    async () => {
      const gateway = await start(['--turn']);
      const pid = gateway.child.pid ?? 0;
      const [turnPid] = await childrenNamed(pid, 'turnserver');
      expect(turnPid).toBeDefined();
      // SIGKILL to the gateway alone, not its group: no shutdown code runs.
      process.kill(pid, 'SIGKILL');
      await gateway.exited;
      expect(
        await eventually(
          () => processGone(turnPid ?? 0),
          (gone) => gone,
          10_000,
        ),
      ).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('npm start -- --turn without coturn', () => {
  it(
    'says in one line how to install coturn when it is missing, and runs without TURN',
    async () => {
      const emptyPath = await mkdtemp(join(tmpdir(), 'no-turnserver-'));
      dirs.push(emptyPath);
      const gateway = await start(['--turn'], { ...process.env, PATH: emptyPath });
      const banner = await bannerOf(gateway);
      expect(banner.split('\n').filter((line) => line.includes('sudo apt-get install coturn'))).toHaveLength(1);
      expect(banner).not.toContain('TURN:  ');
      const servers = await iceServersOf(gateway);
      expect(servers.some((server) => [server.urls].flat().some((url) => url.startsWith('turn:')))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('npm start -- --turn-address', () => {
  it('is refused without --turn, with the usage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--turn-address', '127.0.0.1'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect(code).toBe(2);
    expect(stderr).toContain('--turn-address needs --turn');
  });
});
