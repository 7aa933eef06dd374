/**
 * A write that lost a race is planned again for the call as it became: a caller's end that an
 * answer overtook hangs up the answered call, and a refused answer is told why. Where DynamoDB
 * hands back the call with the refusal, neither costs a read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStore } from '../../lambdas/core/model';
import { countedStore } from './dynamodb-refusals';
import { startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

let nextId = 70_000;
const answerMessage = (callId: string) => ({
  type: 'call_answer' as const,
  call_id: callId,
  answer: { type: 'answer' as const, sdp: 'v=0' },
});

/** The store, with `before` run once just ahead of the first call update made through it. */
function overtakenOnce(store: CallStore, before: () => Promise<unknown>): CallStore {
  let pending = true;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'updateCall') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<CallStore['updateCall']>) => {
        if (pending) {
          pending = false;
          await before();
        }
        return target.updateCall(...args);
      };
    },
  });
}

async function ringingPair() {
  const caller = await world.connect(`race-caller-${nextId}`, 'student', nextId++);
  const callee = await world.connect(`race-callee-${nextId}`, 'tutor', nextId++);
  return { caller, callee, callId: await world.ringingCall(caller, callee) };
}

describe('a lost race', () => {
  it('a caller ending a call just answered hangs it up, and the callee hears it', async () => {
    const { caller, callee, callId } = await ringingPair();
    const counted = countedStore(world.endpoint);
    const racing = overtakenOnce(counted.store, () => world.container().answer(callee, answerMessage(callId)));

    const decisions = await world.container({}, racing).end(caller, { type: 'call_ended', call_id: callId });
    expect(decisions).toEqual([expect.objectContaining({ call_id: callId, outcome: 'ended', reason: 'hangup', sockets_reached: 1 })]);
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'ended', end_reason: 'hangup' });
    expect(world.sockets.received.get(callee.connectionId)?.at(-1)).toMatchObject({
      type: 'call_ended',
      reason: 'hangup',
      call_id: callId,
    });
    // One read finds the call; its refused cancel brings the answered call with it, so no other.
    expect(counted.sent.filter((name) => name === 'GetItemCommand')).toHaveLength(1);
  });

  it('a late answer is told the call is not ringing', async () => {
    const { callee, callId } = await ringingPair();
    await world.container().answer(callee, answerMessage(callId));
    const counted = countedStore(world.endpoint);
    const other = await world.connect(`race-callee-other-${nextId++}`, callee.identity.profileType, Number(callee.identity.profileId));

    await expect(world.container({}, counted.store).answer(other, answerMessage(callId))).rejects.toMatchObject({
      code: 'call_not_ringing',
      callId,
    });
    expect(counted.sent.filter((name) => name === 'GetItemCommand')).toHaveLength(0);
  });
});
