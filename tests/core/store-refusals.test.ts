/**
 * A refused conditional write costs no read where DynamoDB says why: asked with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, it puts the item that failed the condition on
 * the `ConditionalCheckFailedException` (see `dynamodb-refusals.ts`); a client as the embedded store
 * behaves shows the read the store makes when the item is absent.
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

const countedStore = (options: { itemOnRefusal: boolean }) => countedStoreAt(world.endpoint, options);

let nextId = 50_000;

describe('a contested line claim', () => {
  it('learns who holds the line from the refusal, without a read', async () => {
    const [caller, callee] = [profileKey('student', nextId++), profileKey('tutor', nextId++)];
    const line = { profileKey: callee, callerKey: caller, calleeKey: callee, claimedAt: new Date().toISOString() };
    const aws = countedStore({ itemOnRefusal: true });
    expect(await aws.store.claimLine({ ...line, callId: '01JA0000000000000000000001' })).toEqual({ claimed: true });

    aws.reset();
    expect(await aws.store.claimLine({ ...line, callId: '01JA0000000000000000000002' })).toEqual({
      claimed: false,
      holder: { ...line, callId: '01JA0000000000000000000001' },
    });
    expect(aws.sent).toEqual(['PutItemCommand']);

    const local = countedStore({ itemOnRefusal: false });
    expect(await local.store.claimLine({ ...line, callId: '01JA0000000000000000000003' })).toEqual({
      claimed: false,
      holder: { ...line, callId: '01JA0000000000000000000001' },
    });
    expect(local.sent, 'without the item, the holder is read').toEqual(['PutItemCommand', 'GetItemCommand']);
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
    const aws = countedStore({ itemOnRefusal: true });
    // Taking over a line from a call that no longer holds it: nothing holds it, and DynamoDB returns no item.
    expect(await aws.store.claimLine(line, '01JA0000000000000000000000')).toEqual({ claimed: false, holder: undefined });
  });
});

describe('a refused call update', () => {
  it('carries the call as the store found it when DynamoDB says, and nothing more locally', async () => {
    const caller = await world.connect(`refusal-caller-${nextId}`, 'student', nextId++);
    const callee = await world.connect(`refusal-callee-${nextId}`, 'tutor', nextId++);
    const callId = await world.answeredCall(caller, callee);
    const guard = { status: 'initiated' as const };

    const aws = countedStore({ itemOnRefusal: true });
    const refused = await aws.store.updateCall(callId, guard, { status: 'missed' });
    expect(refused).toEqual({ won: false, current: expect.objectContaining({ call_id: callId, status: 'answered' }) });
    expect(aws.sent).toEqual(['UpdateItemCommand']);

    const local = countedStore({ itemOnRefusal: false });
    expect(await local.store.updateCall(callId, guard, { status: 'missed' })).toEqual({ won: false });
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered' });
  });
});
