/**
 * `npm start -- --call-policy conversation`, run as a user runs it: the page learns that calls need
 * a grant (`config.json`), an invitation without one is refused, and the dev grant endpoint next
 * to the dev sign-in (`POST /dev/call-grant`) hands the signed-in page a grant that rings.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CALL_GRANT_PATH, DEV_TOKEN_PATH } from '../../shared/client-config';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { offer } from '../support/harness';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { TestSocket } from '../support/test-socket';

let gateway: GatewayProcess;
let dataDir: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'call-policy-flag-'));
  gateway = await startGatewayProcess(['--port', '0', '--memory', '--data-dir', dataDir, '--call-policy', 'conversation']);
}, 40_000);
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, gateway.httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function signIn(profileType: string, profileId: number): Promise<{ token: string; socket: TestSocket }> {
  const { body } = await post(DEV_TOKEN_PATH, { profile_type: profileType, profile_id: profileId, name: `${profileType} ${profileId}` });
  const token = String(body.token);
  const socket = await TestSocket.open(gateway.websocketUrl, token);
  sockets.push(socket);
  return { token, socket };
}

const invitation = (tutorId: number, vouched: Record<string, unknown> = {}) => ({
  type: 'call_invitation',
  call_type: 'voice',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  offer: offer(),
  ...vouched,
});

describe('npm start -- --call-policy conversation', () => {
  it('tells the page that a call needs a grant, and refuses an invitation without one', async () => {
    const config = (await (await fetch(new URL('/config.json', gateway.httpUrl))).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ callPolicy: 'conversation', devLogin: true });
    const caller = await signIn('student', 41);
    await signIn('tutor', 42);
    caller.socket.send(invitation(42));
    expect(await caller.socket.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_invitation' });
  });

  it('rings with the grant POST /dev/call-grant mints for the signed-in caller', async () => {
    const caller = await signIn('student', 51);
    const callee = await signIn('tutor', 52);
    const minted = await post(
      DEV_CALL_GRANT_PATH,
      { callee: { profile_type: 'tutor', profile_id: 52 } },
      { authorization: `Bearer ${caller.token}` },
    );
    expect(minted.status).toBe(200);
    expect(minted.body).toMatchObject({ call_grant: expect.any(String), conversation_id: 'dev' });
    caller.socket.send(invitation(52, { conversation_id: minted.body.conversation_id, call_grant: minted.body.call_grant }));
    const ringing = await caller.socket.next('call_ringing');
    expect(await callee.socket.next('call_invitation')).toMatchObject({ call_id: ringing.call_id });
  });

  it('mints nothing without a valid token of the caller', async () => {
    const body = { callee: { profile_type: 'tutor', profile_id: 52 } };
    expect((await post(DEV_CALL_GRANT_PATH, body)).status).toBe(401);
    expect((await post(DEV_CALL_GRANT_PATH, body, { authorization: 'Bearer not-a-token' })).status).toBe(401);
  });
});

describe('npm start -- --call-policy', () => {
  it('refuses a policy it does not know, with usage help and exit code 2', async () => {
    const child = spawn(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['infra/local/main.ts', '--call-policy', 'friends-only'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--call-policy must be one of open, conversation');
    expect(stderr).toContain('Usage: npm start');
  }, 20_000);
});
