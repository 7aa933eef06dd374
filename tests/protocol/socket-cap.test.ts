/**
 * PROTOCOL.md "Limits": sockets per profile are capped (10 by default) and the newest are kept. A
 * socket beyond the cap, oldest first, hears `too_many_sockets` and is closed; the rest keep
 * working. As deployed, each `$connect` may run in another container, so the cap is read from the
 * store, not from any container's memory.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKETS_PER_PROFILE } from '../../shared/limits';
import { profileKey } from '../../shared/profile';
import { CONNECTIONS_TABLE } from '../../shared/tables';
import { startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let nextId = 9100;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

const CLOSE_WAIT_MS = 5_000;

/** Opens `count` sockets of the profile one after another (each `$connect` done before the next). */
async function openInTurn(profileId: number, count: number): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (let i = 0; i < count; i++) sockets.push(await h.connect('student', profileId));
  return sockets;
}

/** Whether the socket was closed within the wait. */
async function closedWithin(socket: TestSocket, ms: number): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));
  return Promise.race([socket.closed.then(() => true), timeout]);
}

/** Every socket still answers a ping. */
async function allAnswer(sockets: readonly TestSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(async (socket, index) => {
      socket.send({ type: 'ping', ts: index });
      expect(await socket.next('pong', (pong) => pong.ts === index)).toMatchObject({ ts: index });
    }),
  );
}

const [BY_PROFILE] = CONNECTIONS_TABLE.indexes;

/** How many socket records of the profile the store holds (what an invitation rings). */
async function recordedSockets(profileId: number): Promise<number> {
  const { Count = 0 } = await h.db.send(
    new QueryCommand({
      TableName: CONNECTIONS_TABLE.localName,
      IndexName: BY_PROFILE.indexName,
      KeyConditionExpression: '#key = :key',
      ExpressionAttributeNames: { '#key': BY_PROFILE.partitionKey.name },
      ExpressionAttributeValues: { ':key': profileKey('student', profileId) },
      Select: 'COUNT',
    }),
  );
  return Count;
}

describe('sockets per profile', () => {
  it('the 11th socket of a profile closes the oldest with too_many_sockets; the other ten keep working', async () => {
    const profileId = nextId++;
    const sockets = await openInTurn(profileId, DEFAULT_SOCKETS_PER_PROFILE);
    const [oldest, ...others] = sockets;
    expect(await oldest!.quietFor(200, ['error'])).toEqual([]);

    const newest = await h.connect('student', profileId);
    expect(await oldest!.next('error')).toMatchObject({ code: 'too_many_sockets' });
    expect(await closedWithin(oldest!, CLOSE_WAIT_MS)).toBe(true);

    await allAnswer([...others, newest]);
    for (const socket of others) expect(socket.received.filter((message) => message.type === 'error')).toEqual([]);
    // Its `$disconnect` forgot the closed socket: ten are left to ring.
    await expect.poll(() => recordedSockets(profileId), { timeout: CLOSE_WAIT_MS }).toBe(DEFAULT_SOCKETS_PER_PROFILE);
  });

  it('converges when sockets connect at once: of 9 open and 3 opened together, the 2 oldest close and 10 stay', async () => {
    const profileId = nextId++;
    const earlier = await openInTurn(profileId, DEFAULT_SOCKETS_PER_PROFILE - 1);
    const together = await Promise.all(Array.from({ length: 3 }, () => h.connect('student', profileId)));

    const [first, second, ...kept] = earlier;
    for (const closed of [first!, second!]) {
      expect(await closed.next('error', undefined, CLOSE_WAIT_MS)).toMatchObject({ code: 'too_many_sockets' });
      expect(await closedWithin(closed, CLOSE_WAIT_MS)).toBe(true);
    }
    await allAnswer([...kept, ...together]);
    await expect.poll(() => recordedSockets(profileId), { timeout: CLOSE_WAIT_MS }).toBe(DEFAULT_SOCKETS_PER_PROFILE);
  });

  it("never closes another profile's sockets", async () => {
    const [profileId, neighbourId] = [nextId++, nextId++];
    const neighbour = await h.connect('student', neighbourId);
    const sockets = await openInTurn(profileId, DEFAULT_SOCKETS_PER_PROFILE + 1);
    expect(await closedWithin(sockets[0]!, CLOSE_WAIT_MS)).toBe(true);
    await allAnswer([neighbour, ...sockets.slice(1)]);
    expect(neighbour.received.filter((message) => message.type === 'error')).toEqual([]);
  });
});
