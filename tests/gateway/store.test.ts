/** The embedded store: tables from shared/tables.ts, kept on disk across restarts. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, lockDataDir } from '../../infra/local/data-dir-lock';
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
      const { Item } = await second.client.send(
        new GetItemCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: { S: 'kept' } } }),
      );
      expect(Item?.call_id?.S).toBe('kept');
    } finally {
      await second.close();
    }
  });
});

describe('the data directory lock', () => {
  it('refuses a second gateway on the same data directory while the first runs', async () => {
    const dir = join(dataDir, 'locked');
    const lock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(/in use by another gateway/);
    await lock.release();
    await (await lockDataDir(dir)).release();
  });

  it('takes over a lock left by a process that has exited', async () => {
    const dir = join(dataDir, 'stale');
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    await lockDataDir(dir).then((lock) => lock.release());
    await writeFile(join(dir, LOCK_FILE_NAME), String(exited));
    const lock = await lockDataDir(dir);
    expect(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(String(process.pid));
    await lock.release();
  });
});
