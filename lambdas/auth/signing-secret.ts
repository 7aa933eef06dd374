/** The JWT signing secret: `JWT_SECRET` locally, or read once from Secrets Manager (`JWT_SECRET_ARN`) on AWS. */
import { ENV } from '../../shared/env';

let cached: Promise<string> | undefined;

async function load(env: Record<string, string | undefined>): Promise<string> {
  const direct = env[ENV.jwtSecret];
  if (direct) return direct;
  const arn = env[ENV.jwtSecretArn];
  if (!arn) throw new Error(`Set ${ENV.jwtSecret} or ${ENV.jwtSecretArn}`);
  // Loaded lazily so handlers that never verify tokens do not carry the client.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error('The signing secret is empty');
  return SecretString;
}

/** Cached for the container's life; a failed load is retried on the next call. */
export function signingSecret(env: Record<string, string | undefined> = process.env): Promise<string> {
  cached ??= load(env).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
