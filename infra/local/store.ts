/**
 * The embedded DynamoDB: dynalite in this process on an ephemeral loopback port, on disk or in
 * memory, with the project's tables created from `shared/tables.ts`. Like DynamoDB it answers only
 * signed requests (here: signed with `LOCAL_CREDENTIALS`), and no web page at all (`store-guard.ts`).
 */
import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { KeyAttribute, TableDefinition } from '../../shared/tables';
import { listenOnLoopback } from './as-deployed/loopback-server';
import type { GatewayLog } from './log';
import { secretsOf } from './signature-v4';
import { guardStoreServer, storeEndpoint } from './store-guard';

export const LOCAL_REGION = 'us-east-1';
/**
 * The key the store (and the @connections API in source mode) accepts: the gateway's handlers, its
 * own tooling and the tests sign with it. Well known on purpose; what keeps web pages out is that
 * these endpoints refuse anything a browser sends (`browser-refusal.ts`).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const acceptsLocalKey = secretsOf([LOCAL_CREDENTIALS]);

export interface LocalStore {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export function storeClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** Starts dynalite; `path` is its LevelDB directory (in memory when undefined). Refused requests are logged at warn. */
export async function startStore(path: string | undefined, log?: GatewayLog): Promise<LocalStore> {
  if (path) await mkdir(path, { recursive: true });
  // Tables become ACTIVE at once, so startup never waits on CREATING.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  guardStoreServer(
    server,
    storeEndpoint(
      { service: 'dynamodb', region: LOCAL_REGION, secretOf: acceptsLocalKey },
      log && ((fields) => log.warn('store_request_refused', fields)),
    ),
  );
  const listening = await listenOnLoopback(server);
  const client = storeClient(listening.url);
  return {
    endpoint: listening.url,
    client,
    close: async () => {
      client.destroy();
      await listening.close();
    },
  };
}

function keySchema(partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

export function createTableInput(table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  for (const key of [table.partitionKey, table.sortKey, ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey])]) {
    if (key) attributes.set(key.name, key);
  }
  const definitions: AttributeDefinition[] = [...attributes.values()].map(({ name, type }) => ({
    AttributeName: name,
    AttributeType: type,
  }));
  return {
    TableName: table.localName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: definitions,
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection.type === 'INCLUDE'
                ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
                : { ProjectionType: 'KEYS_ONLY' },
          })),
        }
      : {}),
  };
}

/** Creates the tables; on a store kept from an earlier run, checks the existing ones instead. */
export async function ensureTables(client: DynamoDBClient, tables: readonly TableDefinition[], log: GatewayLog): Promise<void> {
  for (const table of tables) {
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
      log.debug('table_created', { table: table.localName });
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.localName }));
      const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      const missing = table.indexes.map((index) => index.indexName).filter((name) => !existing.has(name));
      // dynalite cannot add indexes to a table that has items; the data dir predates this definition.
      if (missing.length > 0) {
        log.warn('table_outdated', {
          table: table.localName,
          missing_indexes: missing,
          hint: 'delete the data directory (or use --memory) to recreate the tables',
        });
      }
    }
  }
}
