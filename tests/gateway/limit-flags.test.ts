/**
 * `npm start`'s flags for the abuse limits reach the handlers, as a user would start it (a child
 * process): a cap of 2 sockets per profile and 1 unanswered ring per caller and callee.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { signToken } from '../../lambdas/auth/token';
import { freePort, signingSecretOf, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { offer } from '../support/harness';
import { TestSocket } from '../support/test-socket';

const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const COMMAND_TIMEOUT_MS = 20_000;

let dataDir: string;
let gateway: GatewayProcess | undefined;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'limit-flags-'));
  const args = [
    '--port',
    String(await freePort()),
    '--data-dir',
    dataDir,
    '--memory',
    '--sockets-per-profile',
    '2',
    '--pair-ring-limit',
    '1',
  ];
  gateway = await startGatewayProcess(args);
}, 40_000);
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function connect(profileType: string, profileId: number): Promise<TestSocket> {
  const { token } = await signToken(await signingSecretOf(dataDir), {
    profile_type: profileType,
    profile_id: profileId,
    name: 'Flag Tester',
  });
  const socket = await TestSocket.open(gateway!.websocketUrl, token);
  sockets.push(socket);
  return socket;
}

describe('npm start with abuse-limit flags', () => {
  it('--sockets-per-profile 2: the third socket of a profile closes the oldest with too_many_sockets', async () => {
    const [oldest, second] = [await connect('student', 1), await connect('student', 1)];
    const newest = await connect('student', 1);
    expect(await oldest.next('error')).toMatchObject({ code: 'too_many_sockets' });
    await oldest.closed;
    for (const [index, socket] of [second, newest].entries()) {
      socket.send({ type: 'ping', ts: index });
      expect(await socket.next('pong')).toMatchObject({ ts: index });
    }
  });

  it('--pair-ring-limit 1: the second unanswered ring to the same callee is rate_limited', async () => {
    const caller = await connect('student', 2);
    const invitation = { type: 'call_invitation', call_type: 'voice', to_profile_id: 3, to_profile_type: 'tutor', offer: offer() };
    caller.send(invitation);
    expect(await caller.next('call_declined')).toMatchObject({ reason: 'offline' });
    caller.send(invitation);
    expect(await caller.next('error')).toMatchObject({ code: 'rate_limited', request_type: 'call_invitation' });
  });

  it(
    'a socket cap that is not a whole number stops npm start with usage help',
    async () => {
      const child = spawn(TSX, ['infra/local/main.ts', '--sockets-per-profile', '2.5'], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      expect(code).toBe(2);
      expect(stderr).toContain('--sockets-per-profile must be a positive whole number, got "2.5"');
      expect(stderr).toContain('Usage: npm start');
    },
    COMMAND_TIMEOUT_MS,
  );
});
