/** The local platform key: made once into the data dir, owner-only, and the same for every process after. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlatformKey, PLATFORM_KEY_FILE } from '../../infra/local/platform-key';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'platform-key-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local platform key', () => {
  it('is created once, readable by its owner only, and found again on the next start', async () => {
    const first = await loadPlatformKey(dataDir);
    expect(first).toMatchObject({
      accessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/),
      created: true,
      path: join(dataDir, PLATFORM_KEY_FILE),
    });
    expect(first.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    const again = await loadPlatformKey(dataDir);
    expect(again).toMatchObject({ accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey, created: false });
  });

  it('is the same key for processes that start at once', async () => {
    const keys = await Promise.all([loadPlatformKey(dataDir), loadPlatformKey(dataDir), loadPlatformKey(dataDir)]);
    expect(new Set(keys.map((key) => key.accessKeyId)).size).toBe(1);
    expect(keys.filter((key) => key.created)).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dataDir, PLATFORM_KEY_FILE), 'utf8'))).toEqual({
      accessKeyId: keys[0]!.accessKeyId,
      secretAccessKey: keys[0]!.secretAccessKey,
    });
  });

  it('says what to do with a file that holds no key', async () => {
    await writeFile(join(dataDir, PLATFORM_KEY_FILE), '{"accessKeyId": 1}');
    await expect(loadPlatformKey(dataDir)).rejects.toThrow(/delete it and a new key is made/);
  });
});
