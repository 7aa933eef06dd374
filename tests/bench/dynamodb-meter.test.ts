/**
 * The DynamoDB meter counts what DynamoDB would: its item sizes agree with the embedded store's
 * own, its table units with the ConsumedCapacity the store reports (on the project's tables), and
 * its index writes with the documented rules for each projection type.
 */
import { createRequire } from 'node:module';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../infra/local/log';
import { ensureTables, startStore, storeClient, type LocalStore } from '../../infra/local/store';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, TABLES } from '../../shared/tables';
import { startDynamoMeter, type DynamoMeter } from './meters/dynamodb-meter';
import { itemSizeBytes, readUnits, writeUnits, type Item } from './meters/dynamodb-units';
import { diffDynamo, dynamoTotals, type DynamoSnapshot } from './meters/snapshots';

/** dynalite's own size function (not typed by the package). */
const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as { itemSize(item: Item): number };

const INDEXED_TABLE = 'meter_index_rules';

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
async function metered(
  send: () => Promise<{ ConsumedCapacity?: { CapacityUnits?: number } }>,
): Promise<{ units: DynamoSnapshot; reported: number | undefined }> {
  const before = meter.snapshot();
  const output = await send();
  return { units: diffDynamo(meter.snapshot(), before), reported: output.ConsumedCapacity?.CapacityUnits };
}

const callItem = (callId: string, padding: number): Record<string, unknown> => ({
  call_id: callId,
  caller_key: 'student_1',
  callee_key: 'tutor_2',
  status: 'initiated',
  participants: [{ profile_id: '1', profile_type: 'student', name: 'A' }],
  note: 'x'.repeat(padding),
});

describe('item sizes', () => {
  it("match the store's own sizes for every attribute type", () => {
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
      const put = await metered(() =>
        db.send(new PutCommand({ TableName: CALL_LOGS_TABLE.localName, Item: callItem(callId, padding), ReturnConsumedCapacity: 'TOTAL' })),
      );
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
        const get = await metered(() =>
          db.send(
            new GetCommand({
              TableName: CALL_LOGS_TABLE.localName,
              Key: { call_id: callId },
              ConsistentRead: consistent,
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        expect(dynamoTotals(get.units).readUnits).toBe(get.reported);
      }
      const remove = await metered(() =>
        db.send(new DeleteCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: callId }, ReturnConsumedCapacity: 'TOTAL' })),
      );
      expect(dynamoTotals(remove.units).writeUnits).toBe(remove.reported);
    }
  });

  it('counts a query on an index by the size read, eventually consistent', async () => {
    for (let index = 0; index < 3; index++) {
      await db.send(
        new PutCommand({
          TableName: CONNECTIONS_TABLE.localName,
          Item: {
            pk: `conn#q${index}`,
            connection_id: `q${index}`,
            profile_key: 'tutor_77',
            connected_at: `2026-01-0${index + 1}`,
            expires_at_epoch: 4_000_000_000,
          },
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
        .send(
          new PutCommand({
            TableName: CALL_LOGS_TABLE.localName,
            Item: callItem('01TESTCOND', 10),
            ConditionExpression: 'attribute_not_exists(call_id)',
          }),
        )
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

  it('charges a refused write that asked for the item by the item the refusal carries, even one it never saw written', async () => {
    // Written past the meter: only the refusal can tell the meter how large the item is.
    await store.client.send(
      new PutItemCommand({
        TableName: CONNECTIONS_TABLE.localName,
        Item: { pk: { S: 'line#unseen' }, call_id: { S: 'held' }, note: { S: 'x'.repeat(2_500) } },
      }),
    );
    const failed = await metered(() =>
      db
        .send(
          new PutCommand({
            TableName: CONNECTIONS_TABLE.localName,
            Item: { pk: 'line#unseen', call_id: 'mine' },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        .then(
          () => ({}),
          () => ({}),
        ),
    );
    expect(failed.units.operations[0]).toMatchObject({ operation: 'PutItem', conditionFailures: 1, writeUnits: 3, indexWriteUnits: 0 });
  });

  it('prices an update that returns the old image by what it changed, index moves included (as an answer does)', async () => {
    const callId = '01TESTMOVE';
    await db.send(
      new PutCommand({
        TableName: CALL_LOGS_TABLE.localName,
        Item: { ...callItem(callId, 10), deadline_shard: 'pending', deadline_at: '2026-01-01T00:00:45Z' },
      }),
    );
    const moved = await metered(() =>
      db.send(
        new UpdateCommand({
          TableName: CALL_LOGS_TABLE.localName,
          Key: { call_id: callId },
          UpdateExpression: 'SET #at = :at',
          ExpressionAttributeNames: { '#at': 'deadline_at' },
          ExpressionAttributeValues: { ':at': '2026-01-01T00:01:45Z' },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    // The timer's entry moves in by_deadline: a delete and a put; the history indexes are untouched.
    expect(moved.units.operations[0]).toMatchObject({ operation: 'UpdateItem', writeUnits: 1, indexWriteUnits: 2 });
    const removed = await metered(() =>
      db.send(
        new UpdateCommand({
          TableName: CALL_LOGS_TABLE.localName,
          Key: { call_id: callId },
          UpdateExpression: 'REMOVE #at, #shard',
          ExpressionAttributeNames: { '#at': 'deadline_at', '#shard': 'deadline_shard' },
        }),
      ),
    );
    expect(removed.units.operations[0]).toMatchObject({ operation: 'UpdateItem', writeUnits: 1, indexWriteUnits: 1 });
  });

  it("counts the index entries a write creates, changes, moves and removes, by each index's projection", async () => {
    // A table of its own, with one index per projection type (the project's may change).
    await store.client.send(
      new CreateTableCommand({
        TableName: INDEXED_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['id', 'owner', 'shard', 'at'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          { IndexName: 'all', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
          { IndexName: 'keys', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          {
            IndexName: 'timer',
            KeySchema: [
              { AttributeName: 'shard', KeyType: 'HASH' },
              { AttributeName: 'at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
          },
        ],
      }),
    );
    await meter.attach(store.endpoint, store.client);
    const indexWrites = async (send: () => Promise<unknown>): Promise<number> => {
      const before = meter.snapshot();
      await send();
      return dynamoTotals(diffDynamo(meter.snapshot(), before)).indexWriteUnits;
    };
    const key = { id: 'one' };
    const update = (expression: string, values?: Record<string, unknown>) => () =>
      db.send(
        new UpdateCommand({
          TableName: INDEXED_TABLE,
          Key: key,
          UpdateExpression: expression,
          // Only the names the expression uses (the store refuses unused ones).
          ExpressionAttributeNames: Object.fromEntries((expression.match(/#\w+/g) ?? []).map((name) => [name, name.slice(1)])),
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
    // Created with a pending timer: an entry in each index.
    const item = { ...key, owner: 'student_1', status: 'initiated', note: 'n', shard: 'pending', at: '2026-01-01T00:00:45Z' };
    expect(await indexWrites(() => db.send(new PutCommand({ TableName: INDEXED_TABLE, Item: item })))).toBe(3);
    // A projected attribute changes: the ALL entry and the INCLUDE entry holding it are rewritten.
    expect(await indexWrites(update('SET #status = :s', { ':s': 'answered' }))).toBe(2);
    // Nothing changes: no entry is written.
    expect(await indexWrites(update('SET #status = :s', { ':s': 'answered' }))).toBe(0);
    // An attribute only ALL projects.
    expect(await indexWrites(update('SET #note = :n', { ':n': 'changed' }))).toBe(1);
    // The timer moves: its index key changes (a delete and a put); ALL sees a changed attribute.
    expect(await indexWrites(update('SET #at = :at', { ':at': '2026-01-01T00:01:45Z' }))).toBe(3);
    // The timer goes: its entry is removed; ALL sees the change.
    expect(await indexWrites(update('REMOVE #at, #shard'))).toBe(2);
    // The item goes: its two remaining entries go with it.
    expect(await indexWrites(() => db.send(new DeleteCommand({ TableName: INDEXED_TABLE, Key: key })))).toBe(2);
  });
});
