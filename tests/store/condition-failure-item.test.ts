/**
 * The embedded store answers a refused conditional write that asked for
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` as DynamoDB does: the item that failed the
 * condition rides on the error, and no item rides when there is none.
 */
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../infra/local/log';
import { ensureTables, startStore, type LocalStore } from '../../infra/local/store';
import { CONNECTIONS_TABLE, TABLES } from '../../shared/tables';

let store: LocalStore;
let documents: DynamoDBDocumentClient;
const table = CONNECTIONS_TABLE.localName;

beforeAll(async () => {
  store = await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
  documents = DynamoDBDocumentClient.from(store.client);
});

afterAll(async () => {
  await store?.close();
});

/** The refusal a write ends in (fails the test if it succeeds or fails otherwise). */
async function refusal(write: Promise<unknown>): Promise<ConditionalCheckFailedException> {
  try {
    await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return error;
    throw error;
  }
  throw new Error('the write was not refused');
}

describe('a refused conditional write that asked for the item', () => {
  it('carries the item that holds the key, marshalled, through the document client too', async () => {
    await documents.send(new PutCommand({ TableName: table, Item: { pk: 'line#held', call_id: 'first', n: 7 } }));
    const refused = await refusal(
      documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: 'line#held', call_id: 'second' },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    // The document client unmarshalls outputs only: the error's item stays in the wire format.
    expect(refused.Item).toEqual({ pk: { S: 'line#held' }, call_id: { S: 'first' }, n: { N: '7' } });
  });

  it('carries the item for an update and a delete keyed by Key', async () => {
    await documents.send(new PutCommand({ TableName: table, Item: { pk: 'rate#kept', tat: 100 } }));
    const update = await refusal(
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'rate#kept' },
          UpdateExpression: 'SET tat = :next',
          ConditionExpression: 'tat < :now',
          ExpressionAttributeValues: { ':next': 200, ':now': 50 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(update.Item?.tat).toEqual({ N: '100' });
    const remove = await refusal(
      documents.send(
        new DeleteCommand({
          TableName: table,
          Key: { pk: 'rate#kept' },
          ConditionExpression: 'tat = :other',
          ExpressionAttributeValues: { ':other': 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(remove.Item?.pk).toEqual({ S: 'rate#kept' });
  });

  it('carries no item when no item holds the key (the line is free)', async () => {
    const refused = await refusal(
      documents.send(
        new DeleteCommand({
          TableName: table,
          Key: { pk: 'line#nobody' },
          ConditionExpression: 'call_id = :call',
          ExpressionAttributeValues: { ':call': 'any' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(refused.Item).toBeUndefined();
  });

  it('carries no item when the write did not ask for it', async () => {
    await store.client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'line#quiet' }, call_id: { S: 'a' } } }));
    const refused = await refusal(
      store.client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'line#quiet' }, call_id: { S: 'b' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    expect(refused.Item).toBeUndefined();
  });
});
