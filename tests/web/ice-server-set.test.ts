/** The ICE servers a call starts with: fresh before each call when stale, never a credential past its end. */
import { describe, expect, it } from 'vitest';
import { IceServerSet, type IceServersAnswer } from '../../web/src/client/ice-server-set';

const STUN: RTCIceServer = { urls: 'stun:stun.example.net:3478' };
const TURN: RTCIceServer = { urls: 'turn:turn.example.net:3478', username: 'u', credential: 'c' };

function clock(startMs = 1_000_000) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('the ICE servers a call starts with', () => {
  it('are asked for before the first call and used once answered', async () => {
    const asked: number[] = [];
    const time = clock();
    const set = new IceServerSet(
      [STUN],
      async () => {
        asked.push(time.now());
        return { ice_servers: [STUN, TURN], ttl: 300 };
      },
      1_000,
      time.now,
    );
    expect(await set.fresh()).toEqual([STUN, TURN]);
    expect(await set.fresh()).toEqual([STUN, TURN]);
    expect(asked).toHaveLength(1);
  });

  it('are asked for again once half their lifetime has passed', async () => {
    const time = clock();
    let answers = 0;
    const set = new IceServerSet(
      [STUN],
      async () => ({ ice_servers: [STUN, { ...TURN, credential: `c${++answers}` }], ttl: 300 }),
      1_000,
      time.now,
    );
    await set.fresh();
    time.advance(149_000);
    expect((await set.fresh())[1]!.credential).toBe('c1');
    time.advance(1_000);
    expect((await set.fresh())[1]!.credential).toBe('c2');
  });

  it('start a call with what there is when the service does not answer, dropping credentials past their end', async () => {
    const time = clock();
    let fail = false;
    const set = new IceServerSet(
      [STUN],
      async (): Promise<IceServersAnswer> => {
        if (fail) throw new Error('offline');
        return { ice_servers: [STUN, TURN], ttl: 300 };
      },
      1_000,
      time.now,
    );
    await set.fresh();
    fail = true;
    time.advance(200_000);
    expect(await set.fresh()).toEqual([STUN, TURN]);
    time.advance(100_000);
    expect(await set.fresh()).toEqual([STUN]);
  });

  it('do not hold a call back longer than the wait when the answer is slow', async () => {
    const set = new IceServerSet([STUN], () => new Promise<IceServersAnswer>(() => undefined), 10);
    expect(await set.fresh()).toEqual([STUN]);
  });
});
