/**
 * The local TURN server's shared secret (TURN REST API: the handlers mint short-lived credentials
 * with it, coturn checks them with it), generated once into `<dataDir>/turn-secret` (owner-only) and
 * kept like the signing secret, so credentials handed out before a restart stay valid after it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createOnce, readIfPresent } from './file-once';

export const TURN_SECRET_FILE = 'turn-secret';
const SECRET_BYTES = 32;
const MIN_SECRET_CHARS = 32;

export interface TurnSecret {
  secret: string;
  path: string;
}

function checked(text: string, path: string): string {
  const secret = text.trim();
  // coturn reads it from its command line: only characters no shell or parser treats specially.
  if (secret.length < MIN_SECRET_CHARS || !/^[A-Za-z0-9_-]+$/.test(secret)) {
    throw new Error(`${path} is not a TURN secret (at least ${MIN_SECRET_CHARS} of A-Z a-z 0-9 _ -): delete it and a new one is made`);
  }
  return secret;
}

export async function loadTurnSecret(dataDir: string): Promise<TurnSecret> {
  const path = join(dataDir, TURN_SECRET_FILE);
  const existing = await readIfPresent(path);
  if (existing !== undefined) return { secret: checked(existing, path), path };
  await mkdir(dataDir, { recursive: true });
  const { text } = await createOnce(path, `${randomBytes(SECRET_BYTES).toString('base64url')}\n`);
  return { secret: checked(text, path), path };
}
