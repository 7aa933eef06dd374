/** The embedded store: tables from shared/tables.ts, kept on disk across restarts. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../infra/local/log';
import { ensureTables, startStore } from '../../infra/local/store';
import { CALL_LOGS_TABLE, TABLES } from '../../shared/tables';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'store-test-'));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded store', () => {
  it('creates every table with its indexes, and keeps items across a restart on disk', async () => {
    const log = createLog('error');
    const path = join(dataDir, 'dynalite');
    const first = await startStore(path);
    try {
      await ensureTables(first.client, TABLES, log);
      const { Table } = await first.client.send(new DescribeTableCommand({ TableName: CALL_LOGS_TABLE.localName }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
        CALL_LOGS_TABLE.indexes.map((index) => index.indexName).sort(),
      );
      await first.client.send(new PutItemCommand({ TableName: CALL_LOGS_TABLE.localName, Item: { call_id: { S: 'kept' } } }));
    } finally {
      await first.close();
    }

    const second = await startStore(path);
    try {
      // The tables exist already: starting again must not fail.
      await ensureTables(second.client, TABLES, log);
      const { Item } = await second.client.send(new GetItemCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: { S: 'kept' } } }));
      expect(Item?.call_id?.S).toBe('kept');
    } finally {
      await second.close();
    }
  });
});
