/**
 * A refused conditional write costs no read: asked with `ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`, DynamoDB (and the embedded store, as it) puts the item that failed the condition on
 * the `ConditionalCheckFailedException`; no item there means none is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileKey } from '../../shared/profile';
import { countedStore as countedStoreAt } from './dynamodb-refusals';
import { startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

const countedStore = () => countedStoreAt(world.endpoint);

let nextId = 50_000;

describe('a contested line claim', () => {
  it('learns who holds the line from the refusal, without a read', async () => {
    const [caller, callee] = [profileKey('student', nextId++), profileKey('tutor', nextId++)];
    const line = { profileKey: callee, callerKey: caller, calleeKey: callee, claimedAt: new Date().toISOString() };
    const store = countedStore();
    expect(await store.store.claimLine({ ...line, callId: '01JA0000000000000000000001' })).toEqual({ claimed: true });

    store.reset();
    expect(await store.store.claimLine({ ...line, callId: '01JA0000000000000000000002' })).toEqual({
      claimed: false,
      holder: { ...line, callId: '01JA0000000000000000000001' },
    });
    expect(store.sent).toEqual(['PutItemCommand']);
  });

  it('finds the line free when it was released before the refusal came back', async () => {
    const [caller, callee] = [profileKey('student', nextId++), profileKey('tutor', nextId++)];
    const line = {
      profileKey: callee,
      callerKey: caller,
      calleeKey: callee,
      claimedAt: new Date().toISOString(),
      callId: '01JA0000000000000000000004',
    };
    const store = countedStore();
    // Taking over a line from a call that no longer holds it: nothing holds it, and DynamoDB returns no item.
    expect(await store.store.claimLine(line, '01JA0000000000000000000000')).toEqual({ claimed: false, holder: undefined });
  });
});

describe('a refused call update', () => {
  it('carries the call as the store found it, without a read', async () => {
    const caller = await world.connect(`refusal-caller-${nextId}`, 'student', nextId++);
    const callee = await world.connect(`refusal-callee-${nextId}`, 'tutor', nextId++);
    const callId = await world.answeredCall(caller, callee);
    const guard = { status: 'initiated' as const };

    const store = countedStore();
    const refused = await store.store.updateCall(callId, guard, { status: 'missed' });
    expect(refused).toEqual({ won: false, current: expect.objectContaining({ call_id: callId, status: 'answered' }) });
    expect(store.sent).toEqual(['UpdateItemCommand']);
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered' });
  });
});
