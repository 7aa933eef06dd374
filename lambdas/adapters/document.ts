/**
 * Items as plain objects over the plain DynamoDB client: marshalled in, unmarshalled out. The
 * adapters use these instead of the DocumentClient because its commands cannot share the client's
 * cached middleware (`cacheMiddleware`), and the SDK's middleware is their largest CPU cost.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  type GetItemCommandInput,
  type KeysAndAttributes,
  type PutItemCommandInput,
  type QueryCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/** An item, key or set of expression values as the adapters write it. */
export type Item = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

/** A command's input with its items, keys and expression values as plain objects. */
type Plain<Input, Fields extends keyof Input> = Omit<Input, Fields | 'ExpressionAttributeValues'> & {
  [Field in Fields]: Item;
} & { ExpressionAttributeValues?: Item };

const toWire = (item: Item): Wire => marshall(item, { removeUndefinedValues: true });
const toWireIfAny = (item: Item | undefined): Wire | undefined => (item === undefined ? undefined : toWire(item));
const fromWireIfAny = (item: Wire | undefined): Item | undefined => (item === undefined ? undefined : unmarshall(item));

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * The item a refused write asked for (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`): DynamoDB
 * puts it on the exception, and none when there is no item.
 */
export const refusedItem = (error: unknown): Item | undefined =>
  error instanceof ConditionalCheckFailedException ? fromWireIfAny(error.Item) : undefined;

export async function getItem(client: DynamoDBClient, input: Plain<GetItemCommandInput, 'Key'>): Promise<Item | undefined> {
  const { Item } = await client.send(new GetItemCommand({ ...input, Key: toWire(input.Key) }));
  return fromWireIfAny(Item);
}

export async function putItem(client: DynamoDBClient, input: Plain<PutItemCommandInput, 'Item'>): Promise<void> {
  const { ExpressionAttributeValues, ...rest } = input;
  await client.send(
    new PutItemCommand({ ...rest, Item: toWire(input.Item), ExpressionAttributeValues: toWireIfAny(ExpressionAttributeValues) }),
  );
}

/** The item's attributes as `ReturnValues` asked for (undefined when none were asked or there was no item). */
export async function updateItem(client: DynamoDBClient, input: Plain<UpdateItemCommandInput, 'Key'>): Promise<Item | undefined> {
  const { ExpressionAttributeValues, ...rest } = input;
  const { Attributes } = await client.send(
    new UpdateItemCommand({ ...rest, Key: toWire(input.Key), ExpressionAttributeValues: toWireIfAny(ExpressionAttributeValues) }),
  );
  return fromWireIfAny(Attributes);
}

/** The deleted item's attributes as `ReturnValues` asked for (undefined when none were asked or there was no item). */
export async function deleteItem(client: DynamoDBClient, input: Plain<DeleteItemCommandInput, 'Key'>): Promise<Item | undefined> {
  const { ExpressionAttributeValues, ...rest } = input;
  const { Attributes } = await client.send(
    new DeleteItemCommand({ ...rest, Key: toWire(input.Key), ExpressionAttributeValues: toWireIfAny(ExpressionAttributeValues) }),
  );
  return fromWireIfAny(Attributes);
}

export interface QueryPage {
  items: Item[];
  /** Where the next page starts; absent on the last page. */
  lastKey?: Item;
}

export type QueryInput = Omit<QueryCommandInput, 'ExclusiveStartKey' | 'ExpressionAttributeValues'> & {
  ExclusiveStartKey?: Item;
  ExpressionAttributeValues?: Item;
};

/**
 * A page of an index keyed by `key` and sorted by call id (a ULID, so by time), newest first, before
 * `before` when given: one more than `limit`, so the caller can tell whether more remain.
 */
export function newestCallsPage(
  table: string,
  index: { indexName: string; partitionKey: { name: string } },
  key: string,
  limit: number,
  before?: string,
): QueryInput {
  return {
    TableName: table,
    IndexName: index.indexName,
    KeyConditionExpression: before === undefined ? '#key = :key' : '#key = :key AND call_id < :before',
    ExpressionAttributeNames: { '#key': index.partitionKey.name },
    ExpressionAttributeValues: { ':key': key, ...(before === undefined ? {} : { ':before': before }) },
    ScanIndexForward: false,
    Limit: limit + 1,
  };
}

export async function query(client: DynamoDBClient, input: QueryInput): Promise<QueryPage> {
  const { ExpressionAttributeValues, ExclusiveStartKey, ...rest } = input;
  const page = await client.send(
    new QueryCommand({
      ...rest,
      ExclusiveStartKey: toWireIfAny(ExclusiveStartKey),
      ExpressionAttributeValues: toWireIfAny(ExpressionAttributeValues),
    }),
  );
  const lastKey = fromWireIfAny(page.LastEvaluatedKey);
  return { items: (page.Items ?? []).map((item) => unmarshall(item)), ...(lastKey ? { lastKey } : {}) };
}

export interface BatchGetPage {
  items: Item[];
  /** Keys the store left for another request (BatchGetItem may, under load). */
  unprocessedKeys: Item[];
}

/** One BatchGetItem on one table. */
export async function batchGetItems(
  client: DynamoDBClient,
  table: string,
  keys: readonly Item[],
  options: Omit<KeysAndAttributes, 'Keys'> = {},
): Promise<BatchGetPage> {
  const request: BatchGetItemCommandInput = { RequestItems: { [table]: { ...options, Keys: keys.map(toWire) } } };
  const result = await client.send(new BatchGetItemCommand(request));
  return {
    items: (result.Responses?.[table] ?? []).map((item) => unmarshall(item)),
    unprocessedKeys: (result.UnprocessedKeys?.[table]?.Keys ?? []).map((key) => unmarshall(key)),
  };
}
