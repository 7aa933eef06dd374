/**
 * The local gateway behaves like API Gateway's WebSocket API, seen from a real client and from the
 * real management API client, with the real handlers behind it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offer, startHarness, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';
import { connectionIdsOf, eventually, rawRequest, upgradeStatus } from './helpers';

const KB = 1024;
let harness: Harness;
let workDir: string;
let management: ApiGatewayManagementApiClient;
let nextProfileId = 1000;

/** A socket of a profile no other test uses, with its connection id. */
async function freshSocket(profileType = 'student'): Promise<{ socket: TestSocket; id: string; key: string }> {
  const profileId = nextProfileId++;
  const socket = await harness.connect(profileType, profileId);
  const key = `${profileType}_${profileId}`;
  const [id] = await connectionIdsOf(harness.db, key);
  if (!id) throw new Error(`no connection item for ${key}`);
  return { socket, id, key };
}

/** A ping of exactly `bytes` bytes (padding is an unknown field, which the schema drops). */
function pingOfSize(bytes: number, ts: string): string {
  const skeleton = JSON.stringify({ type: 'ping', ts, pad: '' });
  return JSON.stringify({ type: 'ping', ts, pad: 'x'.repeat(bytes - skeleton.length) });
}

function invitationOfSize(bytes: number, to: { profile_type: string; profile_id: number }): string {
  const message = {
    type: 'call_invitation',
    call_type: 'voice',
    to_profile_type: to.profile_type,
    to_profile_id: to.profile_id,
    offer: offer(),
    pad: '',
  };
  return JSON.stringify({ ...message, pad: 'x'.repeat(bytes - JSON.stringify(message).length) });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'gateway-test-'));
  const webRoot = join(workDir, 'web');
  await mkdir(webRoot);
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>call client</title>');
  await writeFile(join(webRoot, 'app.js'), 'export {};');
  harness = await startHarness({ dataDir: workDir, webRoot });
  management = new ApiGatewayManagementApiClient({
    endpoint: harness.gateway.managementEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  management?.destroy();
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('opening a socket', () => {
  const url = (token: string) => `${harness.gateway.websocketUrl}?token=${encodeURIComponent(token)}`;
  const claims = { profile_type: 'student', profile_id: 1, name: 'Stu Dent' };

  it('is refused with 401 without a token', async () => {
    expect(await upgradeStatus(harness.gateway.websocketUrl)).toBe(401);
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=`)).toBe(401);
  });

  it('is refused with 401 for a token signed with another secret', async () => {
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-gateway-secret-not-the-gateway-secret'));
    expect(await upgradeStatus(url(forged))).toBe(401);
  });

  it('is refused with 401 for an expired token', async () => {
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(harness.gateway.secret));
    expect(await upgradeStatus(url(expired))).toBe(401);
  });

  it('is refused with 403 when the authorizer denies the profile type', async () => {
    expect(await upgradeStatus(url(await harness.token({ ...claims, profile_type: 'robot' })))).toBe(403);
  });

  it('opens with a valid token, and the socket is reachable under its profile', async () => {
    expect(await upgradeStatus(url(await harness.token(claims)))).toBe(101);
    const { socket, id } = await freshSocket();
    expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    socket.send({ type: 'ping', ts: 'hello' });
    expect((await socket.next('pong')).ts).toBe('hello');
  });

  it('is refused with 404 on another path', async () => {
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}elsewhere?token=${await harness.token(claims)}`)).toBe(404);
  });
});

describe('messages', () => {
  it('answers a frame that is not JSON with invalid_json, and the socket stays open', async () => {
    const { socket } = await freshSocket();
    socket.sendRaw('this is not json');
    expect((await socket.next('error')).code).toBe('invalid_json');
    socket.send({ type: 'ping', ts: 'still-open' });
    expect((await socket.next('pong')).ts).toBe('still-open');
  });

  it('answers an unknown type with unknown_type', async () => {
    const { socket } = await freshSocket();
    socket.send({ type: 'teleport' });
    expect((await socket.next('error')).code).toBe('unknown_type');
  });

  it('hands a binary frame to $default, which refuses it', async () => {
    const { socket } = await freshSocket();
    socket.sendRaw(Buffer.from([1, 2, 3]));
    expect((await socket.next('error')).code).toBe('invalid_json');
  });

  it('routes a 31 KB frame', async () => {
    const { socket } = await freshSocket();
    socket.sendRaw(pingOfSize(31 * KB, 'big'));
    expect((await socket.next('pong')).ts).toBe('big');
  });

  it('closes the socket with 1009 on a 33 KB frame and never routes it', async () => {
    const { socket: caller } = await freshSocket('student');
    const callee = await freshSocket('tutor');
    const [, calleeId] = callee.key.split('_');
    caller.sendRaw(invitationOfSize(33 * KB, { profile_type: 'tutor', profile_id: Number(calleeId) }));
    expect((await caller.closed).code).toBe(1009);
    expect(await callee.socket.quietFor(300, ['call_invitation'])).toEqual([]);
  });

  it('routes a 128 KB message sent as four 32 KB frames', async () => {
    const { socket } = await freshSocket();
    const message = Buffer.from(pingOfSize(128 * KB, 'fragmented'));
    for (let at = 0; at < message.length; at += 32 * KB) {
      socket.ws.send(message.subarray(at, at + 32 * KB), { binary: false, fin: at + 32 * KB >= message.length });
    }
    expect((await socket.next('pong')).ts).toBe('fragmented');
  });

  it('closes the socket with 1009 on a fragmented message over 128 KB and never routes it', async () => {
    const { socket: caller } = await freshSocket('student');
    const callee = await freshSocket('tutor');
    const [, calleeId] = callee.key.split('_');
    const message = Buffer.from(invitationOfSize(150 * KB, { profile_type: 'tutor', profile_id: Number(calleeId) }));
    for (let at = 0; at < message.length; at += 30 * KB) {
      caller.ws.send(message.subarray(at, at + 30 * KB), { binary: false, fin: at + 30 * KB >= message.length });
    }
    expect((await caller.closed).code).toBe(1009);
    expect(await callee.socket.quietFor(300, ['call_invitation'])).toEqual([]);
  });
});

describe('closing a socket', () => {
  it('runs $disconnect, which removes the socket from the store', async () => {
    const { socket, key } = await freshSocket();
    await socket.close();
    await eventually(
      () => connectionIdsOf(harness.db, key),
      (ids) => ids.length === 0,
    );
  });
});

describe('the @connections management API', () => {
  it('posts a text frame to the socket', async () => {
    const { socket, id } = await freshSocket();
    const frame = new Promise<boolean>((resolve) => socket.ws.once('message', (_data, isBinary) => resolve(isBinary)));
    await management.send(new PostToConnectionCommand({ ConnectionId: id, Data: JSON.stringify({ type: 'pong', ts: 'pushed' }) }));
    expect((await socket.next('pong')).ts).toBe('pushed');
    expect(await frame).toBe(false);
  });

  it('describes a connection', async () => {
    const before = Date.now();
    const { id } = await freshSocket();
    const info = await management.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(info.ConnectedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.LastActiveAt).toBeInstanceOf(Date);
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');
  });

  it('deletes a connection: the client is closed, $disconnect runs, and the id is gone', async () => {
    const { socket, id, key } = await freshSocket();
    await management.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect((await socket.closed).code).toBe(1000);
    await eventually(
      () => connectionIdsOf(harness.db, key),
      (ids) => ids.length === 0,
    );
    await expect(management.send(new PostToConnectionCommand({ ConnectionId: id, Data: '{}' }))).rejects.toMatchObject({
      name: 'GoneException',
    });
  });

  it('answers GoneException (by name) for an unknown connection', async () => {
    const ConnectionId = 'AAAAAAAAAAAAAAA=';
    await expect(management.send(new PostToConnectionCommand({ ConnectionId, Data: '{}' }))).rejects.toMatchObject({
      name: 'GoneException',
    });
    await expect(management.send(new GetConnectionCommand({ ConnectionId }))).rejects.toMatchObject({ name: 'GoneException' });
    await expect(management.send(new DeleteConnectionCommand({ ConnectionId }))).rejects.toMatchObject({ name: 'GoneException' });
  });

  it('answers PayloadTooLargeException for a post over 128 KB', async () => {
    const { id } = await freshSocket();
    const Data = new Uint8Array(128 * KB + 1).fill(0x20);
    await expect(management.send(new PostToConnectionCommand({ ConnectionId: id, Data }))).rejects.toMatchObject({
      name: 'PayloadTooLargeException',
    });
  });
});

describe('local sign-in and client config', () => {
  const postToken = (body: string, contentType = 'application/json') =>
    rawRequest(harness.gateway.httpUrl, { method: 'POST', path: '/dev/token', headers: { 'content-type': contentType }, body });

  it('signs a token at /dev/token that opens a socket', async () => {
    const response = await postToken(JSON.stringify({ profile_id: 456, profile_type: 'student', name: 'John Doe' }));
    expect(response.status).toBe(200);
    const { token, expires_at } = JSON.parse(response.body) as { token: string; expires_at: string };
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=${token}`)).toBe(101);
  });

  it('refuses bad sign-in input with a JSON error', async () => {
    const missingName = await postToken(JSON.stringify({ profile_id: 456, profile_type: 'student' }));
    expect(missingName.status).toBe(400);
    expect(JSON.parse(missingName.body)).toMatchObject({ error: 'invalid_claims' });
    expect((await postToken('{nope')).status).toBe(400);
    expect((await postToken(JSON.stringify({ profile_id: 1, profile_type: 'robot', name: 'R' }))).status).toBe(400);
    expect((await postToken('{}', 'text/plain')).status).toBe(415);
  });

  it('serves config.json with the WebSocket URLs (chat and whiteboard) on the host the page was loaded from, and the call policy', async () => {
    const { port } = harness.gateway;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const response = await rawRequest(harness.gateway.httpUrl, { path: '/config.json', headers: { host } });
      expect(JSON.parse(response.body)).toEqual({
        websocketUrl: `ws://${host}/`,
        devLogin: true,
        iceServers: [],
        callPolicy: 'open',
        whiteboard_websocket_url: `ws://${host}/whiteboard`,
      });
    }
  });
});

describe('the web client files', () => {
  it('serves index.html at / and scripts with their content type', async () => {
    const index = await rawRequest(harness.gateway.httpUrl, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('call client');
    expect((await rawRequest(harness.gateway.httpUrl, { path: '/app.js' })).headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('answers 404 for missing files and for paths that climb out of the web root', async () => {
    for (const path of ['/missing.js', '/../jwt-secret', '/%2e%2e/jwt-secret', '/..%2fjwt-secret']) {
      const response = await rawRequest(harness.gateway.httpUrl, { path });
      expect(response.status, path).toBe(404);
      expect(response.body).not.toContain(harness.gateway.secret);
    }
  });

  it('refuses requests addressed to a foreign host name (DNS rebinding)', async () => {
    const response = await rawRequest(harness.gateway.httpUrl, { path: '/config.json', headers: { host: 'attacker.example' } });
    expect(response.status).toBe(403);
    const token = await harness.token({ profile_type: 'student', profile_id: 1, name: 'Stu Dent' });
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=${token}`, { host: 'attacker.example' })).toBe(403);
  });
});
