/**
 * The abuse limits' store-backed parts on a real store, as every container runs them: the socket
 * cap at `$connect` (including connects racing each other) and the counter of repeated rings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messenger } from '../../lambdas/core/messenger';
import type { CallStore, LiveSocket } from '../../lambdas/core/model';
import { RepeatedRings } from '../../lambdas/core/repeated-rings';
import { ARRIVAL_JITTER_TOLERANCE_MS } from '../../lambdas/core/rate-limiter';
import { capSockets } from '../../lambdas/core/socket-cap';
import { profileKey } from '../../shared/profile';
import { startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

let nextId = 500;

/** Sockets of one profile connected 1 ms apart, oldest first. */
async function socketsOfOneProfile(count: number): Promise<{ key: ReturnType<typeof profileKey>; ids: string[] }> {
  const profileId = nextId++;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `socket-${profileId}-${i}`;
    await world.connect(id, 'student', profileId);
    ids.push(id);
    world.clock.advance(1);
  }
  return { key: profileKey('student', profileId), ids };
}

const record = async (key: ReturnType<typeof profileKey>, connectionId: string): Promise<LiveSocket> => {
  const listed = await world.db.socketsOf(key);
  const found = listed.find((socket) => socket.connectionId === connectionId);
  if (!found) throw new Error(`no record of ${connectionId}`);
  return found;
};

const deps = (store: CallStore = world.db) => ({ store, messenger: new Messenger(world.sockets), sockets: world.sockets });

describe('the socket cap at $connect', () => {
  it('tells the oldest beyond the cap too_many_sockets and closes them; the newest stay', async () => {
    const { key, ids } = await socketsOfOneProfile(5);
    const outcome = await capSockets(deps(), await record(key, ids[4]!), 3);
    expect(outcome.refuseOpened).toBe(false);
    expect(outcome.closed.reached.sort()).toEqual([ids[0], ids[1]].sort());
    for (const id of ids.slice(0, 2)) {
      expect(world.sockets.typesAt(id)).toEqual(['error']);
      expect(world.sockets.open.has(id)).toBe(false);
    }
    for (const id of ids.slice(2)) expect(world.sockets.open.has(id)).toBe(true);
  });

  it('refuses a connect that finds newer sockets filling the cap, and forgets its record', async () => {
    // The connect of ids[1] lists the sockets only after ids[2] and ids[3] connected.
    const { key, ids } = await socketsOfOneProfile(4);
    const outcome = await capSockets(deps(), await record(key, ids[1]!), 2);
    expect(outcome.refuseOpened).toBe(true);
    expect(outcome.closed.reached).toEqual([ids[0]]);
    expect((await world.db.socketsOf(key)).map((socket) => socket.connectionId).sort()).toEqual([ids[0], ids[2], ids[3]].sort());
    // The socket being opened is never posted to or closed: it is refused at the upgrade.
    expect(world.sockets.typesAt(ids[1]!)).toEqual([]);
  });

  it('counts the new socket even when the index does not list it yet', async () => {
    const { key, ids } = await socketsOfOneProfile(3);
    const opened = await record(key, ids[2]!);
    // DynamoDB's index is read eventually consistently: the socket just written may be missing.
    const lagging: CallStore = Object.create(world.db, {
      socketsOf: { value: async () => (await world.db.socketsOf(key)).filter((socket) => socket.connectionId !== opened.connectionId) },
    });
    const outcome = await capSockets(deps(lagging), opened, 2);
    expect(outcome).toMatchObject({ refuseOpened: false, closed: { reached: [ids[0]], gone: [] } });
  });

  it('lets connects that run at once agree on which sockets close', async () => {
    const { key, ids } = await socketsOfOneProfile(6);
    const outcomes = await Promise.all(ids.slice(3).map(async (id) => capSockets(deps(), await record(key, id), 3)));
    expect(outcomes.every((outcome) => !outcome.refuseOpened)).toBe(true);
    for (const id of ids.slice(0, 3)) expect(world.sockets.open.has(id)).toBe(false);
    for (const id of ids.slice(3)) expect(world.sockets.open.has(id)).toBe(true);
  });
});

describe('repeated rings', () => {
  const WINDOW_SECONDS = 600;
  const rings = () => new RepeatedRings(world.db, { limit: 3, windowSeconds: WINDOW_SECONDS }, world.clock);
  const pair = () => [profileKey('student', nextId++), profileKey('tutor', nextId++)] as const;
  const take = async (count: number, caller: ReturnType<typeof profileKey>, callee: ReturnType<typeof profileKey>) => {
    const taken: boolean[] = [];
    // A fresh counter object each time: whichever container takes the next ring counts it.
    for (let i = 0; i < count; i++) taken.push(await rings().take(caller, callee));
    return taken;
  };

  it('allow 3 in any window (the first one back up to the arrival jitter tolerance early), then one more each window, and all 3 after three quiet windows', async () => {
    const [caller, callee] = pair();
    expect(await take(4, caller, callee)).toEqual([true, true, true, false]);
    world.clock.advance(WINDOW_SECONDS * 1000 - ARRIVAL_JITTER_TOLERANCE_MS - 1);
    expect(await take(1, caller, callee)).toEqual([false]);
    world.clock.advance(1);
    expect(await take(2, caller, callee)).toEqual([true, false]);
    world.clock.advance(3 * WINDOW_SECONDS * 1000);
    expect(await take(4, caller, callee)).toEqual([true, true, true, false]);
  });

  it('give a ring back for an answered call, never more than were taken', async () => {
    const [caller, callee] = pair();
    // Nothing to give back yet: the counter stays full, and still allows only 3.
    await rings().answered({ caller_key: caller, callee_key: callee });
    expect(await take(3, caller, callee)).toEqual([true, true, true]);
    await rings().answered({ caller_key: caller, callee_key: callee });
    expect(await take(2, caller, callee)).toEqual([true, false]);
  });
});
