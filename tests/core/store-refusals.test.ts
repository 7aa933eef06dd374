/**
 * A refused conditional write costs no read where DynamoDB says why: asked with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, it puts the item that failed the condition on
 * the `ConditionalCheckFailedException`. The embedded store ignores that parameter, so the store
 * under test talks to it through a client that adds the item as DynamoDB does (and only when asked);
 * a plain client beside it shows the read the store makes when the item is absent.
 */
import { ConditionalCheckFailedException, GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import { storeClient } from '../../infra/local/store';
import { profileKey } from '../../shared/profile';
import { TABLES } from '../../shared/tables';
import { startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

interface CountedStore {
  store: DynamoCallStore;
  /** The commands the store sent, by name, since the last `reset`. */
  sent: string[];
  reset(): void;
}

type MarshalledInput = { TableName?: string; Key?: Record<string, AttributeValue>; Item?: Record<string, AttributeValue>; ReturnValuesOnConditionCheckFailure?: string };

/** The key of the item a write is about: its `Key`, or the table's partition key taken from its `Item`. */
function keyOf(input: MarshalledInput): Record<string, AttributeValue> | undefined {
  if (input.Key) return input.Key;
  const table = TABLES.find((definition) => definition.localName === input.TableName);
  const name = table?.partitionKey.name;
  const value = name ? input.Item?.[name] : undefined;
  return name && value ? { [name]: value } : undefined;
}

function countedStore(options: { itemOnRefusal: boolean }): CountedStore {
  const client: DynamoDBClient = storeClient(world.endpoint);
  // What DynamoDB reads to answer is its own business, not a request of the store.
  const dynamodbItself = storeClient(world.endpoint);
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? 'unknown');
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as MarshalledInput;
        const key = keyOf(input);
        if (!options.itemOnRefusal || !(error instanceof ConditionalCheckFailedException) || input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' || !key) throw error;
        const { Item } = await dynamodbItself.send(new GetItemCommand({ TableName: input.TableName, Key: key, ConsistentRead: true }));
        throw new ConditionalCheckFailedException({ message: error.message, $metadata: error.$metadata, ...(Item ? { Item } : {}) });
      }
    },
    // After the document client has marshalled the input: the same shape DynamoDB receives.
    { step: 'build', name: 'itemOnConditionFailure' },
  );
  const store = new DynamoCallStore({ connections: 'connections', callLogs: 'call_logs' }, client);
  return { store, sent, reset: () => sent.splice(0) };
}

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
    const line = { profileKey: callee, callerKey: caller, calleeKey: callee, claimedAt: new Date().toISOString(), callId: '01JA0000000000000000000004' };
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
