/** The JWT signing secret: `JWT_SECRET` locally, or read once from Secrets Manager (`JWT_SECRET_ARN`) on AWS. */
// A static import: the CommonJS bundle then loads the runtime's SDK with `require`, which resolves
// the way Node always does (a lazy `import()` would rely on Lambda's NODE_PATH rule for ES imports).
// Only the authorizer, the invitation and presence (for call grants) import this module, so no other
// handler carries the client.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../../shared/env';

let cached: Promise<string> | undefined;

async function load(env: Record<string, string | undefined>): Promise<string> {
  const direct = env[ENV.jwtSecret];
  if (direct) return direct;
  const arn = env[ENV.jwtSecretArn];
  if (!arn) throw new Error(`Set ${ENV.jwtSecret} or ${ENV.jwtSecretArn}`);
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
