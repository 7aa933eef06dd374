/**
 * A file of local configuration created once and then only read (the signing secret, the platform
 * key): written to a temporary file and linked into place, owner-only, so a concurrent reader never
 * sees it half-written and two processes starting at once end up with the same content.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

const isMissing = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === 'ENOENT';
const exists = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === 'EEXIST';

/** The file's text, or undefined when there is no such file. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Creates the file with `content`, unless another process created it first: then its content wins. */
export async function createOnce(path: string, content: string): Promise<{ text: string; created: boolean }> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  try {
    await link(temporary, path);
    return { text: content, created: true };
  } catch (error) {
    if (!exists(error)) throw error;
    const existing = await readIfPresent(path);
    if (existing === undefined) throw error;
    return { text: existing, created: false };
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
