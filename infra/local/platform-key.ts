/**
 * The local credential of the platform's backend: the access key it signs platform API requests
 * with (SigV4, service `execute-api`), generated once into `<dataDir>/platform-key.json` (owner-only)
 * and kept, like the signing secret, when the store is in memory, so a backend configured once keeps
 * working across restarts. It is the local stand-in for the IAM credentials of the backend's role.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { createOnce, readIfPresent } from './file-once';
import type { AccessKey } from './signature-v4';

export const PLATFORM_KEY_FILE = 'platform-key.json';

export interface PlatformKey extends AccessKey {
  /** Where it is kept. */
  readonly path: string;
  readonly created: boolean;
}

const PlatformKeySchema = v.object({
  accessKeyId: v.pipe(v.string(), v.regex(/^[A-Z0-9]{16,128}$/)),
  secretAccessKey: v.pipe(v.string(), v.minLength(32)),
});

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Shaped like an IAM user's long-term key (`AKIA` + 16), so SDKs and tools take it as one. */
function newPlatformKey(): AccessKey {
  const suffix = [...randomBytes(16)].map((byte) => KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length]).join('');
  return { accessKeyId: `AKIA${suffix}`, secretAccessKey: randomBytes(30).toString('base64') };
}

function parsed(text: string, path: string): AccessKey {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON: delete it and a new key is made`);
  }
  const key = v.safeParse(PlatformKeySchema, data);
  if (!key.success) throw new Error(`${path} holds no accessKeyId and secretAccessKey: delete it and a new key is made`);
  return key.output;
}

export async function loadPlatformKey(dataDir: string): Promise<PlatformKey> {
  const path = join(dataDir, PLATFORM_KEY_FILE);
  const existing = await readIfPresent(path);
  if (existing !== undefined) return { ...parsed(existing, path), path, created: false };
  await mkdir(dataDir, { recursive: true });
  const { text, created } = await createOnce(path, `${JSON.stringify(newPlatformKey(), null, 2)}\n`);
  return { ...parsed(text, path), path, created };
}
