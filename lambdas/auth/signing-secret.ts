/** The JWT signing secret: `JWT_SECRET` locally, or read once from Secrets Manager (`JWT_SECRET_ARN`) on AWS. */
import { ENV } from '../../shared/env';

let cached: Promise<string> | undefined;

async function load(env: Record<string, string | undefined>): Promise<string> {
  const direct = env[ENV.jwtSecret];
  if (direct) return direct;
  const arn = env[ENV.jwtSecretArn];
  if (!arn) throw new Error(`Set ${ENV.jwtSecret} or ${ENV.jwtSecretArn}`);
  // The client is loaded only here: a secret given directly (locally) loads none.
  const stored = await (await import('./secrets-manager-read')).readSecretString(arn);
  if (!stored) throw new Error('The signing secret is empty');
  return stored;
}

/** Cached for the container's life; a failed load is retried on the next call. */
export function signingSecret(env: Record<string, string | undefined> = process.env): Promise<string> {
  cached ??= load(env).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
