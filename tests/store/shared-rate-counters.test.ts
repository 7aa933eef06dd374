/**
 * The shared offer counters on the real embedded store: a socket's and its profile's buckets live on
 * one item and move in one write, all or none, however many containers race on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import type { RateTake } from '../../lambdas/core/model';
import { gcraStep } from '../../lambdas/core/rate-limiter';
import { createLog } from '../../infra/local/log';
import { ensureTables, startStore, type LocalStore } from '../../infra/local/store';
import type { ProfileKey } from '../../shared/profile';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, TABLES } from '../../shared/tables';

let store: LocalStore;
let counters: DynamoCallStore;
let nextProfile = 1;

beforeAll(async () => {
  store = await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
  counters = new DynamoCallStore({ connections: CONNECTIONS_TABLE.localName, callLogs: CALL_LOGS_TABLE.localName }, store.client);
});

afterAll(async () => {
  await store?.close();
});

const SOCKET_RATE = { perSecond: 5, burst: 5 };
const PROFILE_RATE = { perSecond: 0.5, burst: 10 };

function offer(profileKey: ProfileKey, connectionId: string, atMs: number): RateTake[] {
  return [
    { counter: { scope: 'socket', rateClass: 'offers', connectionId, profileKey }, step: gcraStep(SOCKET_RATE, atMs) },
    { counter: { scope: 'profile', rateClass: 'offers', profileKey }, step: gcraStep(PROFILE_RATE, atMs) },
  ];
}

const newProfile = (): ProfileKey => `student_${nextProfile++}` as ProfileKey;

describe('the shared offer counters', () => {
  it('admit exactly the profile burst of 10 of 15 offers sent at once from 3 sockets, written concurrently', async () => {
    const profile = newProfile();
    const atMs = Date.now();
    const admitted = await Promise.all(
      Array.from({ length: 15 }, (_, index) => counters.takeRateTokens(offer(profile, `socket-${index % 3}`, atMs))),
    );
    expect(admitted.filter(Boolean)).toHaveLength(10);
  });

  it("refuse a socket over its own burst without spending its profile's budget", async () => {
    const profile = newProfile();
    const atMs = Date.now();
    for (let index = 0; index < 5; index++) expect(await counters.takeRateTokens(offer(profile, 'busy-socket', atMs))).toBe(true);
    // The sixth from that socket is over its burst of 5; nothing of the profile's 10 goes with it.
    for (let index = 0; index < 3; index++) expect(await counters.takeRateTokens(offer(profile, 'busy-socket', atMs))).toBe(false);
    const others = await Promise.all(
      Array.from({ length: 5 }, (_, index) => counters.takeRateTokens(offer(profile, `other-${index}`, atMs))),
    );
    expect(others.every(Boolean)).toBe(true);
    expect(await counters.takeRateTokens(offer(profile, 'one-more', atMs))).toBe(false);
  });

  it('admit a socket again once its bucket has room, as the arithmetic says (after 100 ms, then one every 200 ms)', async () => {
    const profile = newProfile();
    const atMs = Date.now();
    for (let index = 0; index < 5; index++) await counters.takeRateTokens(offer(profile, 'steady', atMs));
    expect(await counters.takeRateTokens(offer(profile, 'steady', atMs + 99))).toBe(false);
    expect(await counters.takeRateTokens(offer(profile, 'steady', atMs + 100))).toBe(true);
    expect(await counters.takeRateTokens(offer(profile, 'steady', atMs + 299))).toBe(false);
    expect(await counters.takeRateTokens(offer(profile, 'steady', atMs + 300))).toBe(true);
  });

  it('admit the whole profile burst when the writes land in another order than the offers arrived', async () => {
    const profile = newProfile();
    const atMs = Date.now();
    // The offer that arrived last (200 ms after the first) writes first; the other nine follow, earliest first.
    expect(await counters.takeRateTokens(offer(profile, 'socket-last', atMs + 200))).toBe(true);
    for (let index = 0; index < 9; index++) {
      expect(await counters.takeRateTokens(offer(profile, `socket-${index}`, atMs + index))).toBe(true);
    }
    expect(await counters.takeRateTokens(offer(profile, 'socket-over', atMs))).toBe(false);
  });
});
