/**
 * The TURN REST API's shared secret, read once per container from Secrets Manager. The client is
 * loaded on first use only (a lazy `import()`): only a function configured with the secret's ARN loads it.
 */
export async function readTurnSecret(secretArn: string): Promise<string> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error('The TURN secret is empty');
  return SecretString;
}
