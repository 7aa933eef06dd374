/**
 * A function's task root (Lambda's `/var/task`): a private copy of its asset directory outside the
 * project, so nothing of the project resolves from it (no `package.json` "type", no
 * `node_modules` up the tree): only what `NODE_PATH` offers, as the runtime's own modules do on Lambda.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TaskRoots {
  /** The temp directory holding every task root (and the bootstrap). */
  dir: string;
  /** Copies `assetDir` into a task root of its own; resolves with its path. */
  add(functionId: string, assetDir: string): Promise<string>;
  remove(): Promise<void>;
}

const PREFIX = 'callsignal-as-deployed-';
/** The gateway process a directory belongs to. */
const OWNER_FILE = 'owner.pid';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Directories left by gateways that were killed before they could remove them. */
async function removeAbandoned(): Promise<void> {
  const entries = await readdir(tmpdir(), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), entry.name);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && owner > 0 && !isRunning(owner)) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export async function createTaskRoots(): Promise<TaskRoots> {
  await removeAbandoned();
  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
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
