/**
 * Counts what the handlers' DynamoDB requests would consume on DynamoDB: it sits between them and
 * the embedded store (`AWS_ENDPOINT_URL_DYNAMODB` points here) and prices each exchange by the
 * documented rules in `dynamodb-units.ts`.
 *
 * Write units and index writes depend on the item before and after a write, which the store says
 * only when asked. So the meter keeps the last image of every item it has seen written or read,
 * takes the old item from a refusal that carries it (`ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`, which the local store answers as DynamoDB does) or from an update's `ALL_OLD` reply,
 * and reads the item back after an update that did not return its new image (before the handler's
 * request goes on, so no later write of the handler can come in between). Writes that race on one
 * item may be priced against each other's image: the handlers' happy path never does that.
 */
import {
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  type AttributeValue as WireValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { storeClient as localStoreClient } from '../../../infra/local/store';
import { startForwardingProxy, type Exchange } from './forwarding-proxy';
import {
  indexWrites,
  itemSizeBytes,
  keyOf,
  readUnits,
  writeUnits,
  type Item,
  type ProjectionType,
  type TableShape,
} from './dynamodb-units';
import type { DynamoSnapshot, OperationTally } from './snapshots';

export interface DynamoMeter {
  url: string;
  /** Learns the tables' keys and indexes from the store, then forwards to it. */
  attach(storeEndpoint: string, client: DynamoDBClient): Promise<void>;
  snapshot(): DynamoSnapshot;
  close(): Promise<void>;
}

/** The JSON the handlers send and the store answers, only as far as pricing needs it. */
interface DynamoRequest {
  TableName?: string;
  IndexName?: string;
  Item?: Item;
  Key?: Item;
  ConsistentRead?: boolean;
  ReturnValues?: string;
  ProjectionExpression?: string;
}

interface DynamoResponse {
  __type?: string;
  Item?: Item;
  Items?: Item[];
  Attributes?: Item;
  Count?: number;
  ScannedCount?: number;
}

const CONTROL_PLANE = new Set(['CreateTable', 'DescribeTable', 'ListTables', 'DescribeTimeToLive', 'UpdateTimeToLive']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function parseJson<T extends object>(body: Buffer): T | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return isObject(parsed) ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

async function describeTables(client: DynamoDBClient): Promise<Map<string, TableShape>> {
  const shapes = new Map<string, TableShape>();
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  for (const name of TableNames) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (!Table) continue;
    shapes.set(name, {
      name,
      keyAttributes: (Table.KeySchema ?? []).flatMap((key) => (key.AttributeName ? [key.AttributeName] : [])),
      indexes: (Table.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName ?? '?',
        keyAttributes: (index.KeySchema ?? []).flatMap((key) => (key.AttributeName ? [key.AttributeName] : [])),
        projection: (index.Projection?.ProjectionType ?? 'ALL') as ProjectionType,
        includedAttributes: index.Projection?.NonKeyAttributes ?? [],
      })),
    });
  }
  return shapes;
}

export async function startDynamoMeter(): Promise<DynamoMeter> {
  let tables = new Map<string, TableShape>();
  let storeClient: DynamoDBClient | undefined;
  /** Last known image per item, by table and key. */
  const images = new Map<string, Item>();
  const tallies = new Map<string, OperationTally>();
  let unmeteredRequests = 0;

  const tally = (operation: string, table: string, index: string | null): OperationTally => {
    const key = `${operation} ${table} ${index ?? ''}`;
    let entry = tallies.get(key);
    if (!entry) {
      entry = { operation, table, index, requests: 0, conditionFailures: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0 };
      tallies.set(key, entry);
    }
    return entry;
  };

  const observe = async (exchange: Exchange): Promise<void> => {
    const target = exchange.requestHeaders['x-amz-target'];
    const operation = typeof target === 'string' ? (target.split('.')[1] ?? target) : 'unknown';
    const request = parseJson<DynamoRequest>(exchange.requestBody) ?? {};
    const response = parseJson<DynamoResponse>(exchange.responseBody) ?? {};
    const table = request.TableName ? tables.get(request.TableName) : undefined;
    const ok = exchange.status === 200;
    const conditionFailed = !ok && (response.__type ?? '').endsWith('ConditionalCheckFailedException');
    if (!table) {
      // Control-plane calls consume no units; anything else without a known table is counted as unpriced.
      if (!CONTROL_PLANE.has(operation)) unmeteredRequests++;
      return;
    }
    // Errors other than a failed condition (validation, throttling) consume nothing.
    if (!ok && !conditionFailed) return;
    const entry = tally(operation, table.name, request.IndexName ?? null);
    entry.requests++;
    if (conditionFailed) entry.conditionFailures++;

    const imageKey = (item: Item): string => `${table.name} ${keyOf(table, item)}`;
    switch (operation) {
      case 'GetItem': {
        entry.readUnits += readUnits(itemSizeBytes(response.Item), request.ConsistentRead === true);
        if (request.Key && response.Item && !request.ProjectionExpression) images.set(imageKey(request.Key), response.Item);
        return;
      }
      case 'Query':
      case 'Scan': {
        const items = response.Items ?? [];
        let bytes = items.reduce((sum, item) => sum + itemSizeBytes(item), 0);
        // Items a filter dropped were read too; priced at the average size of those returned.
        const scanned = response.ScannedCount ?? items.length;
        if (scanned > items.length && items.length > 0) bytes += (bytes / items.length) * (scanned - items.length);
        // Index reads are always eventually consistent.
        entry.readUnits += readUnits(bytes, request.ConsistentRead === true && !request.IndexName);
        return;
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem': {
        const key = request.Item ?? request.Key;
        if (!key) return;
        // A refusal that carries the item, or an ALL_OLD reply, says exactly what was there.
        const told = conditionFailed ? response.Item : request.ReturnValues === 'ALL_OLD' ? response.Attributes : undefined;
        const before = told ?? images.get(imageKey(key));
        // A failed condition costs the existing item's size (one unit when there is none), and no index write.
        if (conditionFailed) {
          entry.writeUnits += writeUnits(itemSizeBytes(before));
          if (response.Item) images.set(imageKey(key), response.Item);
          return;
        }
        let after: Item | undefined;
        if (operation === 'PutItem') after = request.Item;
        else if (operation === 'UpdateItem')
          after = request.ReturnValues === 'ALL_NEW' && response.Attributes ? response.Attributes : await readBack(table, key, before);
        entry.writeUnits += writeUnits(Math.max(itemSizeBytes(before), itemSizeBytes(after)));
        entry.indexWriteUnits += indexWrites(table, before, after).reduce((sum, write) => sum + write.units, 0);
        if (after) images.set(imageKey(key), after);
        else images.delete(imageKey(key));
        return;
      }
      default:
        unmeteredRequests++;
    }
  };

  /** The item as the store has it now; `fallback` when it cannot say. */
  const readBack = async (table: TableShape, key: Item, fallback: Item | undefined): Promise<Item | undefined> => {
    if (!storeClient) return fallback;
    const keyOnly: Record<string, WireValue> = {};
    for (const name of table.keyAttributes) {
      const value = key[name];
      if (value) keyOnly[name] = value as WireValue;
    }
    try {
      const { Item } = await storeClient.send(new GetItemCommand({ TableName: table.name, Key: keyOnly, ConsistentRead: true }));
      return Item as Item | undefined;
    } catch {
      return fallback;
    }
  };

  const proxy = await startForwardingProxy(observe);
  return {
    url: proxy.url,
    attach: async (storeEndpoint, client) => {
      tables = await describeTables(client);
      // Its own client: the one passed in may be destroyed once the tables are known.
      storeClient?.destroy();
      storeClient = localStoreClient(storeEndpoint);
      proxy.setUpstream(storeEndpoint);
    },
    snapshot: () => ({
      inFlight: proxy.inFlight(),
      unmeteredRequests,
      operations: [...tallies.values()].map((entry) => ({ ...entry })),
    }),
    close: () => {
      storeClient?.destroy();
      return proxy.close();
    },
  };
}
