/**
 * `npm start -- --host 0.0.0.0` would put dev sign-in (a token for any profile, for the asking) on
 * the network: with the dev login on by default it refuses to start, before it listens anywhere,
 * unless the dev login is asked for or turned off explicitly.
 *
 * Nothing here may listen beyond loopback, even if the refusal were broken: each run is given a port
 * this test holds on 127.0.0.1, so a gateway that tried to bind 0.0.0.0 to it would fail with
 * EADDRINUSE (exit 1) instead of refusing (exit 2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevLoginBeyondLoopbackError, startLocalGateway } from '../../infra/local/gateway';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { ENV } from '../../shared/env';

const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const COMMAND_TIMEOUT_MS = 20_000;

let held: Server;
let heldPort: number;
const children: ChildProcess[] = [];

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', () => resolve()));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(async () => {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  await new Promise<void>((resolve) => held.close(() => resolve()));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = { ...process.env };
  delete env[ENV.jwtSecret];
  delete env[ENV.logLevel];
  delete env.HOST;
  Object.assign(env, extraEnv);
  const child = spawn(TSX, ['infra/local/main.ts', '--port', String(heldPort), '--memory', ...args], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const expectRefusedBeforeListening = (run: Run): void => {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toContain('dev sign-in');
  expect(run.stderr).toContain('--no-dev-login');
  expect(run.stdout).not.toContain('gateway_started');
};

describe('npm start beyond loopback with the dev login on', () => {
  it(
    'refuses --host 0.0.0.0 with exit 2, before listening, naming the way out',
    async () => {
      expectRefusedBeforeListening(await start(['--host', '0.0.0.0']));
    },
    COMMAND_TIMEOUT_MS,
  );

  it(
    'refuses HOST=0.0.0.0 from the environment the same way',
    async () => {
      expectRefusedBeforeListening(await start([], { HOST: '0.0.0.0' }));
    },
    COMMAND_TIMEOUT_MS,
  );

  it(
    'refuses --dev-login together with --no-dev-login',
    async () => {
      const run = await start(['--host', '0.0.0.0', '--dev-login', '--no-dev-login']);
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('gateway_started');
    },
    COMMAND_TIMEOUT_MS,
  );

  it(
    'goes on to bind once the dev login is turned off or asked for (here onto the held port, which fails with exit 1)',
    async () => {
      for (const choice of ['--no-dev-login', '--dev-login']) {
        const run = await start(['--host', '0.0.0.0', choice]);
        expect(run.code, `${choice}: ${run.stderr}`).toBe(1);
        expect(run.stderr).toContain('is in use');
      }
    },
    2 * COMMAND_TIMEOUT_MS,
  );

  it('refuses in the library too, before anything starts', async () => {
    await expect(startLocalGateway({ host: '0.0.0.0', port: heldPort, memory: true })).rejects.toBeInstanceOf(DevLoginBeyondLoopbackError);
  });
});
