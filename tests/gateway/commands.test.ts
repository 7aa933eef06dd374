/** `npm run token` and `npm start`, run as a user would run them (as child processes). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../lambdas/auth/token';
import { ENV } from '../../shared/env';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { startHarness, type Harness } from '../support/harness';
import { rawRequest, upgradeStatus } from './helpers';

const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const COMMAND_TIMEOUT_MS = 20_000;

/**
 * This process's environment without what an in-process gateway put there: no signing secret (so
 * the commands use the data dir's file) and no log level (so the start line is written).
 */
function environmentWithoutSecret(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[ENV.jwtSecret];
  delete env[ENV.logLevel];
  return env;
}

function runTokenCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, ['infra/local/token-cli.ts', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const JOHN = ['--profile-type', 'student', '--profile-id', '456', '--name', 'John Doe'];

describe('npm run token', () => {
  let harness: Harness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'token-command-'));
    harness = await startHarness({ dataDir });
  });

  afterAll(async () => {
    await harness?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'prints a token signed with the running gateway’s secret, which opens a socket',
    async () => {
      // The gateway put its secret in this process's environment for the handlers; the command must find it in the file.
      const env = harness.gateway.secretSource === 'environment' ? process.env : environmentWithoutSecret();
      const { code, stdout, stderr } = await runTokenCommand([...JOHN, '--data-dir', dataDir], env);
      expect(code, stderr).toBe(0);
      const token = stdout.trim();
      expect(await verifyToken(harness.gateway.secret, token)).toMatchObject({ profileId: 456, profileType: 'student', name: 'John Doe' });
      expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=${token}`)).toBe(101);
    },
    COMMAND_TIMEOUT_MS,
  );

  it(
    'refuses incomplete input with usage help',
    async () => {
      const { code, stderr } = await runTokenCommand(['--profile-type', 'student', '--data-dir', dataDir], environmentWithoutSecret());
      expect(code).toBe(2);
      expect(stderr).toContain('Usage: npm run token');
    },
    COMMAND_TIMEOUT_MS,
  );
});

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'start-command-'));
  });

  afterAll(async () => {
    // tsx runs the gateway in a child of its own: end the whole process group, or it outlives the test.
    if (child?.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'prints its URLs, accepts a token from npm run token, and exits 0 on SIGTERM',
    async () => {
      const env = environmentWithoutSecret();
      // The token comes first: the command creates the secret, and the gateway must then use the same one.
      const minted = await runTokenCommand([...JOHN, '--data-dir', dataDir], env);
      expect(minted.code, minted.stderr).toBe(0);

      const started = spawn(TSX, ['infra/local/main.ts', '--port', '0', '--memory', '--data-dir', dataDir], {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child = started;
      let stderr = '';
      started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));

      const urls = await new Promise<{ http_url: string; websocket_url: string }>((resolve, reject) => {
        started.once('exit', (code) => reject(new Error(`exited with ${code} before starting: ${stderr}`)));
        createInterface({ input: started.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; http_url: string; websocket_url: string };
          if (entry.msg === 'gateway_started') resolve(entry);
        });
      });
      expect(urls.websocket_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await rawRequest(urls.http_url, { path: '/config.json' })).status).toBe(200);
      expect(await upgradeStatus(`${urls.websocket_url}?token=${minted.stdout.trim()}`)).toBe(101);
      expect(stderr).toContain('npm run token --');

      started.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    COMMAND_TIMEOUT_MS,
  );
});
