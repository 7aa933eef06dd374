/**
 * PROTOCOL.md "Token lifecycle", over real WebSockets against the real local gateway: the maximum
 * token lifetime and the issuer and audience checked at connect, a socket closed on its first
 * message after its token expired, and a call taken over by another device of the same party.
 * The handlers read these settings once, so the whole file runs with one set of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../lambdas/auth/token';
import { ENV } from '../../shared/env';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { TestSocket } from '../support/test-socket';

const MAX_LIFETIME_SECONDS = 60 * 60;
const ISSUER = 'https://platform.example.test';
const AUDIENCE = 'callsignal-tests';
const SETTINGS = {
  [ENV.tokenMaxLifetimeSeconds]: String(MAX_LIFETIME_SECONDS),
  [ENV.tokenIssuer]: ISSUER,
  [ENV.tokenAudience]: AUDIENCE,
};

let h: Harness;
const previous = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, process.env[name]]));
const opened: TestSocket[] = [];
let nextId = 7000;

beforeAll(async () => {
  Object.assign(process.env, SETTINGS);
  h = await startHarness();
});
afterAll(async () => {
  for (const socket of opened) socket.terminate();
  await h?.close();
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

interface Minting {
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
}

async function tokenFor(profileType: string, profileId: number, minting: Minting = { issuer: ISSUER, audience: AUDIENCE }) {
  const { issuer, audience, ttlSeconds = 10 * 60 } = minting;
  return signToken(
    h.gateway.secret,
    { profile_type: profileType, profile_id: profileId, name: `${profileType} ${profileId}` },
    ttlSeconds,
    {
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    },
  );
}

async function connectWith(token: string): Promise<TestSocket> {
  const socket = await TestSocket.open(h.gateway.websocketUrl, token);
  opened.push(socket);
  return socket;
}

/** A token the deployment accepts, for a profile. */
const connect = async (profileType: string, profileId: number) => connectWith((await tokenFor(profileType, profileId)).token);

describe('at connect', () => {
  it('refuses a token valid for longer than the maximum lifetime, and accepts one within it', async () => {
    const id = nextId++;
    const tooLong = await tokenFor('student', id, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: MAX_LIFETIME_SECONDS + 60 });
    await expect(connectWith(tooLong.token)).rejects.toThrow('upgrade refused: 401');
    const within = await tokenFor('student', id, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: MAX_LIFETIME_SECONDS });
    const socket = await connectWith(within.token);
    socket.send({ type: 'ping', ts: 1 });
    expect(await socket.next('pong')).toMatchObject({ ts: 1 });
  });

  it('refuses a token without the configured issuer and audience, or with others', async () => {
    const id = nextId++;
    const refused = [
      {},
      { issuer: ISSUER },
      { audience: AUDIENCE },
      { issuer: 'https://elsewhere.example.test', audience: AUDIENCE },
      { issuer: ISSUER, audience: 'another-service' },
    ];
    for (const minting of refused) {
      await expect(connectWith((await tokenFor('student', id, minting)).token), JSON.stringify(minting)).rejects.toThrow(
        'upgrade refused: 401',
      );
    }
    await expect(connect('student', id)).resolves.toBeInstanceOf(TestSocket);
  });
});

describe('a socket whose token expired', () => {
  it('is told token_expired and closed on its next message, and a fresh token connects', async () => {
    const id = nextId++;
    // A few seconds: long enough to connect (a cold authorizer included), short enough to wait out.
    const shortLived = await tokenFor('tutor', id, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 3 });
    const socket = await connectWith(shortLived.token);
    socket.send({ type: 'ping', ts: 1 });
    expect(await socket.next('pong')).toMatchObject({ ts: 1 });

    await new Promise((resolve) => setTimeout(resolve, shortLived.expiresAt.getTime() - Date.now() + 100));
    socket.send({ type: 'ping', ts: 2 });
    expect(await socket.next('error')).toMatchObject({ code: 'token_expired' });
    expect(await socket.closed).toMatchObject({ code: 1000 });
    expect(socket.received.filter((message) => message.type === 'pong')).toHaveLength(1);

    const fresh = await connect('tutor', id);
    fresh.send({ type: 'ping', ts: 3 });
    expect(await fresh.next('pong')).toMatchObject({ ts: 3 });
  });
});

describe('a call taken over by another device', () => {
  it('ends the call on the first device with resumed_elsewhere, and the call goes on with the second', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const firstDevice = await connect('student', studentId);
    const tutor = await connect('tutor', tutorId);
    firstDevice.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await tutor.next('call_invitation');
    tutor.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await firstDevice.next('call_answer');

    const secondDevice = await connect('student', studentId);
    secondDevice.send({ type: 'call_resume', call_id: callId });
    expect(await firstDevice.next('call_ended')).toMatchObject({
      call_id: callId,
      reason: 'resumed_elsewhere',
      from_profile_id: studentId,
    });
    await secondDevice.next('call_resumed');
    await tutor.next('call_resumed');

    tutor.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(7100) });
    expect(await secondDevice.next('ice_candidate')).toMatchObject({ call_id: callId });
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });

    secondDevice.send({ type: 'call_ended', call_id: callId });
    expect(await tutor.next('call_ended')).toMatchObject({ call_id: callId, reason: 'hangup' });
    expect(firstDevice.received.filter((message) => message.type === 'ice_candidate')).toEqual([]);
  });
});
