/**
 * Reads a deployed stack's JWT signing secret, so `npm run token -- --stack NAME` can mint tokens
 * the stack's authorizer accepts. Uses only Secrets Manager: the secret is found by the tag the
 * stack puts on it (`SIGNING_SECRET_TAG` = stack name), then read. The caller needs
 * `secretsmanager:ListSecrets` and `secretsmanager:GetSecretValue` on that secret.
 */
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { SIGNING_SECRET_TAG } from './signing-secret-tag';

export interface StackSecretOptions {
  readonly stackName: string;
  /** @default the SDK's usual chain (AWS_REGION, the profile's region) */
  readonly region?: string;
}

export class StackSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackSecretError';
  }
}

/**
 * The one secret tagged for exactly `stackName`. ListSecrets matches tag values by prefix, so
 * `CallSignal` would also list `CallSignal-dev`'s secret: the exact tag pair is checked here.
 */
export function pickSigningSecretArn(entries: readonly SecretListEntry[], stackName: string): string {
  const matches = entries.filter(
    (entry) => entry.ARN && entry.Tags?.some((tag) => tag.Key === SIGNING_SECRET_TAG && tag.Value === stackName),
  );
  const [first] = matches;
  if (!first?.ARN) {
    throw new StackSecretError(
      `No signing secret is tagged ${SIGNING_SECRET_TAG}=${stackName} in this region. ` +
        'Is the stack deployed here (check --region or AWS_REGION)? Its SigningSecretArn output names the secret.',
    );
  }
  if (matches.length > 1) {
    throw new StackSecretError(
      `More than one secret is tagged ${SIGNING_SECRET_TAG}=${stackName}: ${matches.map((entry) => entry.ARN).join(', ')}`,
    );
  }
  return first.ARN;
}

async function listTaggedSecrets(client: SecretsManagerClient, stackName: string): Promise<SecretListEntry[]> {
  const entries: SecretListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'tag-key', Values: [SIGNING_SECRET_TAG] },
          { Key: 'tag-value', Values: [stackName] },
        ],
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    entries.push(...(page.SecretList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return entries;
}

/** The ARN of the stack's signing secret. */
export async function findStackSigningSecretArn(options: StackSecretOptions, client = clientFor(options)): Promise<string> {
  return pickSigningSecretArn(await listTaggedSecrets(client, options.stackName), options.stackName);
}

/** The signing secret of a deployed stack, as the authorizer reads it. */
export async function readStackSigningSecret(options: StackSecretOptions): Promise<string> {
  const client = clientFor(options);
  const secretId = await findStackSigningSecretArn(options, client);
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new StackSecretError(`The signing secret ${secretId} is empty`);
  return SecretString;
}

function clientFor(options: StackSecretOptions): SecretsManagerClient {
  return new SecretsManagerClient(options.region ? { region: options.region } : {});
}
