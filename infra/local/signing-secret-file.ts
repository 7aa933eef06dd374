/**
 * The local JWT signing secret, shared by the gateway and `npm run token` so their tokens agree:
 * an explicit value, else `JWT_SECRET`, else `<dataDir>/jwt-secret` (created once, owner-only).
 *
 * The file is kept even when the store runs in memory: tokens minted from another terminal must
 * keep working across restarts, and the secret is configuration, not call data.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ENV } from '../../shared/env';
import { createOnce, readIfPresent } from './file-once';

export const SECRET_FILE_NAME = 'jwt-secret';
const SECRET_BYTES = 32;
/** Shorter secrets make HS256 guessable. */
const MIN_SECRET_CHARS = 32;

export type SecretSource = 'option' | 'environment' | 'file' | 'created';

export interface SigningSecret {
  secret: string;
  source: SecretSource;
  /** The file it came from or went to, when a file was involved. */
  path?: string;
}

export interface SecretRequest {
  dataDir: string;
  explicit?: string | undefined;
  env?: Record<string, string | undefined>;
}

function checked(secret: string, origin: string): string {
  if (secret.length < MIN_SECRET_CHARS) throw new Error(`The signing secret from ${origin} is shorter than ${MIN_SECRET_CHARS} characters`);
  return secret;
}

async function readSecretFile(path: string): Promise<string | undefined> {
  const text = await readIfPresent(path);
  return text === undefined ? undefined : checked(text.trim(), path);
}

export async function loadSigningSecret({ dataDir, explicit, env = process.env }: SecretRequest): Promise<SigningSecret> {
  if (explicit) return { secret: checked(explicit, 'the jwtSecret option'), source: 'option' };
  const fromEnv = env[ENV.jwtSecret];
  if (fromEnv) return { secret: checked(fromEnv, ENV.jwtSecret), source: 'environment' };
  const path = join(dataDir, SECRET_FILE_NAME);
  const existing = await readSecretFile(path);
  if (existing) return { secret: existing, source: 'file', path };
  await mkdir(dataDir, { recursive: true });
  const { text, created } = await createOnce(path, `${randomBytes(SECRET_BYTES).toString('base64url')}\n`);
  return { secret: checked(text.trim(), path), source: created ? 'created' : 'file', path };
}
