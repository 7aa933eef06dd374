/**
 * The DynamoDB meter counts what DynamoDB would: its item sizes agree with the embedded store's
 * own, its table units with the ConsumedCapacity the store reports, and its index writes with the
 * documented rules, on the project's real tables.
 */
import { createRequire } from 'node:module';
import { DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../infra/local/log';
import { ensureTables, startStore, storeClient, type LocalStore } from '../../infra/local/store';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, DEADLINE_SHARD, TABLES } from '../../shared/tables';
import { startDynamoMeter, type DynamoMeter } from './meters/dynamodb-meter';
import { itemSizeBytes, readUnits, writeUnits, type Item } from './meters/dynamodb-units';
import { diffDynamo, dynamoTotals, type DynamoSnapshot } from './meters/snapshots';

/** dynalite's own size function (not typed by the package). */
const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as { itemSize(item: Item): number };

let store: LocalStore;
let meter: DynamoMeter;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  store = await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
  meter = await startDynamoMeter();
  await meter.attach(store.endpoint, store.client);
  db = DynamoDBDocumentClient.from(storeClient(meter.url), { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  db?.destroy();
  await meter?.close();
  await store?.close();
});

/** What one request cost by the meter, and what the store said it consumed. */
async function metered(send: () => Promise<{ ConsumedCapacity?: { CapacityUnits?: number } }>): Promise<{ units: DynamoSnapshot; reported: number | undefined }> {
  const before = meter.snapshot();
  const output = await send();
  return { units: diffDynamo(meter.snapshot(), before), reported: output.ConsumedCapacity?.CapacityUnits };
}

const callItem = (callId: string, padding: number, deadline?: string): Record<string, unknown> => ({
  call_id: callId,
  caller_key: 'student_1',
  callee_key: 'tutor_2',
  status: 'initiated',
  participants: [{ profile_id: '1', profile_type: 'student', name: 'A' }],
  note: 'x'.repeat(padding),
  ...(deadline ? { deadline_shard: DEADLINE_SHARD, deadline_at: deadline } : {}),
});

describe('item sizes', () => {
  it('match the store\'s own sizes for every attribute type', () => {
    const items: Item[] = [
      { pk: { S: 'conn#abc' }, n: { N: '12345' }, big: { N: '-3.14159265358979' }, zero: { N: '0' } },
      { a: { N: '100' }, b: { N: '0.5' }, c: { N: '0.00125' }, d: { N: '1e3' }, e: { N: '-42' }, f: { N: '1234' }, g: { N: '99.5' } },
      { flag: { BOOL: true }, none: { NULL: true }, set: { SS: ['a', 'bc'] }, nums: { NS: ['1', '22'] } },
      { list: { L: [{ S: 'one' }, { N: '2' }, { M: { inner: { S: 'three' } } }] }, map: { M: { a: { S: 'x' }, b: { L: [] } } } },
    ];
    for (const item of items) expect(itemSizeBytes(item)).toBe(dynaliteDb.itemSize(item));
  });

  it('prices writes per KB and reads per 4 KB, eventually consistent at half', () => {
    expect([writeUnits(0), writeUnits(1024), writeUnits(1025)]).toEqual([1, 1, 2]);
    expect([readUnits(4096, true), readUnits(4097, true), readUnits(100, false)]).toEqual([1, 2, 0.5]);
  });
});

describe('the meter in front of the store', () => {
  it('counts table units as the store reports them, for writes and reads of every size', async () => {
    for (const padding of [10, 1_500, 5_000]) {
      const callId = `01TESTSIZE${padding}`;
      const put = await metered(() => db.send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: callItem(callId, padding), ReturnConsumedCapacity: 'TOTAL' })));
      expect(dynamoTotals(put.units).writeUnits).toBe(put.reported);
      const update = await metered(() =>
        db.send(
          new UpdateCommand({
            TableName: CALL_LOGS_TABLE.localName,
            Key: { call_id: callId },
            UpdateExpression: 'SET #note = :note',
            ExpressionAttributeNames: { '#note': 'note' },
            ExpressionAttributeValues: { ':note': 'y'.repeat(padding * 2) },
            ReturnValues: 'ALL_NEW',
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      expect(dynamoTotals(update.units).writeUnits).toBe(update.reported);
      for (const consistent of [true, false]) {
        const get = await metered(() => db.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId }, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' })));
        expect(dynamoTotals(get.units).readUnits).toBe(get.reported);
      }
      const remove = await metered(() => db.send(new DeleteCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId }, ReturnConsumedCapacity: 'TOTAL' })));
      expect(dynamoTotals(remove.units).writeUnits).toBe(remove.reported);
    }
  });

  it('counts a query on an index by the size read, eventually consistent', async () => {
    for (let index = 0; index < 3; index++) {
      await db.send(
        new PutCommand({
          TableName: CONNECTIONS_TABLE.localName,
          Item: { pk: `conn#q${index}`, connection_id: `q${index}`, profile_key: 'tutor_77', connected_at: `2026-01-0${index + 1}`, expires_at_epoch: 4_000_000_000 },
        }),
      );
    }
    const query = await metered(() =>
      db.send(
        new QueryCommand({
          TableName: CONNECTIONS_TABLE.localName,
          IndexName: CONNECTIONS_TABLE.indexes[0].indexName,
          KeyConditionExpression: 'profile_key = :key',
          ExpressionAttributeValues: { ':key': 'tutor_77' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    expect(query.units.operations[0]).toMatchObject({ operation: 'Query', index: 'by_profile', requests: 1 });
    expect(dynamoTotals(query.units).readUnits).toBe(query.reported);
    expect(dynamoTotals(query.units).readUnits).toBe(0.5);
  });

  it('charges a failed condition the existing item, with no index write', async () => {
    await db.send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: callItem('01TESTCOND', 2_500) }));
    const failed = await metered(() =>
      db
        .send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: callItem('01TESTCOND', 10), ConditionExpression: 'attribute_not_exists(call_id)' }))
        .then(
          () => ({}),
          (error: unknown) => {
            expect((error as Error).name).toBe('ConditionalCheckFailedException');
            return {};
          },
        ),
    );
    expect(failed.units.operations[0]).toMatchObject({ operation: 'PutItem', conditionFailures: 1, writeUnits: 3, indexWriteUnits: 0 });
  });

  it('counts the index entries a write creates, changes, moves and removes', async () => {
    const indexWrites = async (send: () => Promise<unknown>): Promise<number> => {
      const before = meter.snapshot();
      await send();
      return dynamoTotals(diffDynamo(meter.snapshot(), before)).indexWriteUnits;
    };
    const key = { call_id: '01TESTINDEX' };
    const update = (expression: string, values?: Record<string, unknown>) => () =>
      db.send(
        new UpdateCommand({
          TableName: CALL_LOGS_TABLE.localName,
          Key: key,
          UpdateExpression: expression,
          ExpressionAttributeNames: { '#status': 'status', '#at': 'deadline_at', '#shard': 'deadline_shard' },
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
    // Created with a pending timer: an entry in by_caller, by_callee and by_deadline.
    expect(await indexWrites(() => db.send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: callItem(key.call_id, 10, '2026-01-01T00:00:45Z') })))).toBe(3);
    // A projected attribute changes: all three entries are rewritten.
    expect(await indexWrites(update('SET #status = :s, #shard = #shard, #at = #at', { ':s': 'answered' }))).toBe(3);
    // Nothing changes: no entry is written.
    expect(await indexWrites(update('SET #status = :s, #shard = #shard, #at = #at', { ':s': 'answered' }))).toBe(0);
    // The timer moves: its index key changes (a delete and a put), the other two are rewritten.
    expect(await indexWrites(update('SET #at = :at, #shard = #shard, #status = #status', { ':at': '2026-01-01T00:01:45Z' }))).toBe(4);
    // The timer goes: its entry is removed, the other two are rewritten.
    expect(await indexWrites(update('REMOVE #at, #shard SET #status = #status'))).toBe(3);
    // The call goes: its two remaining entries go with it.
    expect(await indexWrites(() => db.send(new DeleteCommand({ TableName: CALL_LOGS_TABLE.localName, Key: key })))).toBe(2);
  });
});
