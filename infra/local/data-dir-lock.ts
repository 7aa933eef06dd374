/**
 * One gateway per on-disk store: LevelDB allows a single opener, and a second dynalite on the same
 * directory fails on every request instead of at start. A pid file makes the clash an error
 * at startup; a file left by a process that no longer runs is taken over.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'gateway.pid';

export interface DataDirLock {
  release(): Promise<void>;
}

/** A killed process can linger as a zombie until it is reaped; it holds nothing any more. */
const isZombie = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    // EPERM: it runs, under another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
};

const hasCode = (error: unknown, code: string): boolean => error instanceof Error && 'code' in error && error.code === code;

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const ownPid = String(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, ownPid, { flag: 'wx' });
      return {
        release: async () => {
          const holder = await readFile(path, 'utf8').catch(() => '');
          if (holder.trim() === ownPid) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if (!hasCode(error, 'EEXIST')) throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new Error(`${dataDir} is in use by another gateway (pid ${holder}); stop it, or use --memory or another --data-dir`);
      }
      await unlink(path).catch((unlinkError: unknown) => {
        if (!hasCode(unlinkError, 'ENOENT')) throw unlinkError;
      });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}
