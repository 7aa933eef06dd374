/**
 * Counts what the handlers' DynamoDB requests would consume on DynamoDB: it sits between them and
 * the embedded store (`AWS_ENDPOINT_URL_DYNAMODB` points here) and prices each exchange by the
 * documented rules in `dynamodb-units.ts`.
 *
 * The store does not say what an item looked like before a write (dynalite ignores
 * `ReturnValuesOnConditionCheckFailure` and the handlers ask for no old images), yet write units
 * and index writes depend on it; so the meter keeps the last image of every item it has seen
 * written or read. Writes that race on one item may be priced against each other's image: the
 * handlers' happy path never does that.
 */
import { DescribeTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

  const observe = (exchange: Exchange): void => {
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
        const before = images.get(imageKey(key));
        // A failed condition costs the existing item's size (one unit when there is none), and no index write.
        if (conditionFailed) {
          entry.writeUnits += writeUnits(itemSizeBytes(before));
          return;
        }
        let after: Item | undefined;
        if (operation === 'PutItem') after = request.Item;
        else if (operation === 'UpdateItem')
          after = request.ReturnValues === 'ALL_NEW' && response.Attributes ? response.Attributes : before;
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

  const proxy = await startForwardingProxy(observe);
  return {
    url: proxy.url,
    attach: async (storeEndpoint, client) => {
      tables = await describeTables(client);
      proxy.setUpstream(storeEndpoint);
    },
    snapshot: () => ({
      inFlight: proxy.inFlight(),
      unmeteredRequests,
      operations: [...tallies.values()].map((entry) => ({ ...entry })),
    }),
    close: () => proxy.close(),
  };
}
