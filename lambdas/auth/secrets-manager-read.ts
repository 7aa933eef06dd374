/**
 * One secret's text from Secrets Manager. Its own module, reached through `import()`: only a function
 * whose secret is stored there loads the client (a static import here becomes a lazy `require` in
 * the CommonJS bundle, which resolves as Node always does, the SDK bundled or left to the runtime).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export async function readSecretString(secretId: string): Promise<string | undefined> {
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  return SecretString;
}
