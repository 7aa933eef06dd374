/**
 * A function's task root (Lambda's `/var/task`): a private copy of its asset directory outside the
 * project, so nothing of the project resolves from it (no `package.json` "type", no
 * `node_modules` up the tree): only what `NODE_PATH` offers, as the runtime's own modules do on Lambda.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TaskRoots {
  /** The temp directory holding every task root (and the bootstrap). */
  dir: string;
  /** Copies `assetDir` into a task root of its own; resolves with its path. */
  add(functionId: string, assetDir: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createTaskRoots(): Promise<TaskRoots> {
  const dir = await mkdtemp(join(tmpdir(), 'callsignal-as-deployed-'));
  return {
    dir,
    async add(functionId, assetDir) {
      const root = join(dir, 'task', functionId);
      await cp(assetDir, root, { recursive: true });
      return root;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
