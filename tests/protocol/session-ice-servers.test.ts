/**
 * The whiteboard API's `ice_servers` and `ping` (PROTOCOL.md, "Whiteboard session calls"), over real
 * whiteboard sockets against the real gateway (and, as deployed, the bundles with the template's IAM):
 * a session page gets TURN credentials and keeps its socket alive on its own API.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../lambdas/auth/token';
import { ENV } from '../../shared/env';
import { startHarness, type Harness } from '../support/harness';
import { SessionSocket } from '../support/session-socket';

/** The gateway's TURN settings, set before it starts (handlers read their environment once). */
const TURN_URL = 'turn:127.0.0.1:3478?transport=udp';
const TURN_SECRET = 'session-turn-test-secret';
const savedEnvironment = { urls: process.env[ENV.turnUrls], secret: process.env[ENV.turnSecret] };
let h: Harness;
const sockets: SessionSocket[] = [];

beforeAll(async () => {
  process.env[ENV.turnUrls] = TURN_URL;
  process.env[ENV.turnSecret] = TURN_SECRET;
  h = await startHarness();
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await h?.close();
  for (const [name, value] of [
    [ENV.turnUrls, savedEnvironment.urls],
    [ENV.turnSecret, savedEnvironment.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function whiteboard(profileType: string, profileId: number): Promise<SessionSocket> {
  const { token } = await signToken(h.gateway.secret, {
    profile_type: profileType,
    profile_id: profileId,
    name: `${profileType} ${profileId}`,
  });
  const socket = await SessionSocket.open(h.gateway.whiteboardWebsocketUrl, token);
  sockets.push(socket);
  return socket;
}

describe('a whiteboard socket', () => {
  it('gets TURN credentials from ice_servers, made for its own profile with the gateway’s TURN secret', async () => {
    const socket = await whiteboard('tutor', 9701);
    socket.send({ type: 'ice_servers' });
    const answer = await socket.next('ice_servers');
    const turn = answer.ice_servers.find((server) => [server.urls].flat().includes(TURN_URL));
    expect(turn?.username).toMatch(/^\d+:tutor_9701$/);
    expect(turn?.credential).toBe(
      createHmac('sha1', TURN_SECRET)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    expect(answer.ttl).toBeGreaterThan(0);
  });

  it('is answered pong to a ping, with its ts echoed, and no error', async () => {
    const socket = await whiteboard('student', 9702);
    socket.send({ type: 'ping', ts: 42 });
    const pong = await socket.next('pong');
    expect(pong.ts).toBe(42);
    expect(socket.received.some((message) => message.type === 'error')).toBe(false);
  });
});
