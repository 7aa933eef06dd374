import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { authorizeCallers, type Caller } from '../../infra/local/as-deployed/caller-authorization';
import type { PolicyStatement } from '../../infra/local/as-deployed/iam';
import { localAwsIdentity, secretArn, secretArnPrefix } from '../../infra/local/as-deployed/local-identity';
import { SECRETS_MANAGER_ENDPOINT_ENV, startSecretsEndpoint, type SecretsEndpoint } from '../../infra/local/as-deployed/secrets-endpoint';
import { secretsOf } from '../../infra/local/signature-v4';
import { LOCAL_REGION } from '../../infra/local/store';

const identity = localAwsIdentity('local');
const NAME = 'CallSignal/SigningSecret63A7F3CE';
const ARN = secretArn(identity, NAME);
const VALUE = 'k'.repeat(64);

const allowGetSecret = (resource: string): PolicyStatement => ({
  effect: 'Allow',
  actions: { negated: false, patterns: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] },
  resources: { negated: false, patterns: [resource] },
  source: 'TestPolicy',
});
const AUTHORIZER: Caller = {
  roleName: 'CallSignal-AuthorizerRole',
  functionName: 'CallSignal-authorizer',
  statements: [allowGetSecret(ARN)],
};
/** Allowed any secret of the account, so it can ask for one that does not exist. */
const ANY_SECRET: Caller = {
  roleName: 'CallSignal-AnyRole',
  functionName: 'CallSignal-any',
  statements: [allowGetSecret(`${secretArnPrefix(identity, '')}*`)],
};
const PING: Caller = { roleName: 'CallSignal-PingRole', functionName: 'CallSignal-ping', statements: [] };

let endpoint: SecretsEndpoint;
const saved = new Map<string, string | undefined>();
const clients: SecretsManagerClient[] = [];

/** An unmodified client, configured only by the environment as a bundle's is. */
function clientAs(accessKeyId: string): SecretsManagerClient {
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  const client = new SecretsManagerClient({});
  clients.push(client);
  return client;
}

beforeAll(async () => {
  endpoint = await startSecretsEndpoint({
    secrets: new Map([[ARN, { name: NAME, value: VALUE }]]),
    identity,
    authorize: authorizeCallers(
      new Map([
        ['ASIAAUTHORIZER', AUTHORIZER],
        ['ASIAANY', ANY_SECRET],
        ['ASIAPING', PING],
      ]),
    ),
    secretOf: secretsOf(['ASIAAUTHORIZER', 'ASIAANY', 'ASIAPING'].map((accessKeyId) => ({ accessKeyId, secretAccessKey: 'local' }))),
  });
  const environment: Record<string, string | undefined> = {
    [SECRETS_MANAGER_ENDPOINT_ENV]: endpoint.url,
    AWS_REGION: LOCAL_REGION,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(environment)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await endpoint?.close();
});

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the call to be refused');
};

describe('the local Secrets Manager endpoint', () => {
  it('gives an allowed caller the secret by ARN, as Secrets Manager answers', async () => {
    const answer = await clientAs('ASIAAUTHORIZER').send(new GetSecretValueCommand({ SecretId: ARN }));
    expect(answer.SecretString).toBe(VALUE);
    expect(answer.ARN).toBe(ARN);
    expect(answer.Name).toBe(NAME);
    expect(answer.VersionStages).toEqual(['AWSCURRENT']);
    expect(answer.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.CreatedDate).toBeInstanceOf(Date);
  });

  it('finds the secret by its name too, checked against its full ARN', async () => {
    const answer = await clientAs('ASIAAUTHORIZER').send(new GetSecretValueCommand({ SecretId: NAME }));
    expect(answer.SecretString).toBe(VALUE);
  });

  it('refuses a caller whose role does not grant the secret', async () => {
    const error = await rejection(clientAs('ASIAPING').send(new GetSecretValueCommand({ SecretId: ARN })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/CallSignal-PingRole/CallSignal-ping is not authorized to perform: ' +
        `secretsmanager:GetSecretValue on resource: ${ARN} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    );
  });

  it('answers ResourceNotFoundException for a secret that does not exist, to a caller allowed to ask', async () => {
    const error = await rejection(clientAs('ASIAANY').send(new GetSecretValueCommand({ SecretId: 'no-such-secret' })));
    expect(error.name).toBe('ResourceNotFoundException');
    // A caller not allowed to ask learns nothing about whether it exists.
    const denied = await rejection(clientAs('ASIAAUTHORIZER').send(new GetSecretValueCommand({ SecretId: 'no-such-secret' })));
    expect(denied.name).toBe('AccessDeniedException');
  });

  it('answers an unknown access key as AWS does', async () => {
    const error = await rejection(clientAs('ASIANOBODY').send(new GetSecretValueCommand({ SecretId: ARN })));
    expect(error.name).toBe('UnrecognizedClientException');
  });
});
