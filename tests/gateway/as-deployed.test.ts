/**
 * The gateway's as-deployed mode over real sockets: the synthesized bundles run in containers of
 * their own, as Lambda runs them (a process per container, one invocation at a time, more on
 * demand up to the cap, recycled when idle), and every AWS call they make is checked against the
 * template's IAM statements.
 */
import { readFile } from 'node:fs/promises';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalGateway, type LocalGateway } from '../../infra/local/gateway';
import { ENV } from '../../shared/env';
import { CONNECTIONS_TABLE } from '../../shared/tables';
import { asDeployedOptions } from '../support/gateway-mode';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { connectionIdsOf, upgradeStatus } from './helpers';

const MAX_CONTAINERS = 2;
const IDLE_SECONDS = 1;
/** How long a reply that needs a cold start may take on a busy machine (a bound, not a measure). */
const COLD_REPLY_MS = 10_000;
const RING_TIMEOUT_SECONDS = 33;
/** A handler setting only this test's environment sets, which must reach the containers. */
const OTHER_RATE = '77';

interface LoggedLine {
  msg?: string;
  function?: string;
  pid?: number;
  [field: string]: unknown;
}
const gatewayLines: LoggedLine[] = [];
let harness: Harness;
let nextProfileId = 1;

function keepJsonLines(args: unknown[]): void {
  const [text] = args;
  if (typeof text === 'string' && text.startsWith('{')) gatewayLines.push(JSON.parse(text) as LoggedLine);
}

const started = (functionId: string): LoggedLine[] =>
  gatewayLines.filter((line) => line.msg === 'container_started' && line.function === functionId);

beforeAll(async () => {
  // The gateway's own lines (container_started, container_recycled, iam_denied), kept and not printed.
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => keepJsonLines(args));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => keepJsonLines(args));
  // The containers' routing lines, written to this process's stdout as they arrive.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  process.env[ENV.rateLimitOther] = OTHER_RATE;
  harness = await startHarness({
    logLevel: 'debug',
    ringTimeoutSeconds: RING_TIMEOUT_SECONDS,
    asDeployed: { ...asDeployedOptions(), maxContainers: MAX_CONTAINERS, containerIdleSeconds: IDLE_SECONDS },
  });
}, 60_000);
afterAll(async () => {
  delete process.env[ENV.rateLimitOther];
  await harness?.close();
  vi.restoreAllMocks();
});

const fresh = (profileType: string) => harness.connect(profileType, nextProfileId++);

/** A live container of the function, as the gateway reports them. */
function runningPid(functionId: string): number {
  const pid = harness.gateway.asDeployed?.containers().find((container) => container.function === functionId)?.pid;
  if (pid === undefined) throw new Error(`no running container of ${functionId}`);
  return pid;
}
const functionOfPid = (pid: number): string =>
  harness.gateway.asDeployed?.containers().find((container) => container.pid === pid)?.function ?? '?';

/** What /proc says of a process: its command line and environment. */
async function processFacts(pid: number): Promise<{ argv: string[]; env: Map<string, string> }> {
  const split = (text: string) => text.split('\0').filter(Boolean);
  const argv = split(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
  const env = new Map(
    split(await readFile(`/proc/${pid}/environ`, 'utf8')).map(
      (entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const,
    ),
  );
  return { argv, env };
}

describe('a call through the deployed bundles', () => {
  it('rings, is answered, carries candidates both ways and ends, with the call log final', async () => {
    expect(harness.gateway.mode).toBe('as-deployed');
    const caller = await fresh('student');
    const callee = await fresh('tutor');
    const calleeId = nextProfileId - 1;
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: calleeId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');
    await caller.next('call_ringing');
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(5000) });
    callee.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(6000) });
    expect((await callee.next('ice_candidate')).candidate).toMatchObject({ candidate: expect.stringContaining(' 5000 ') });
    expect((await caller.next('ice_candidate')).candidate).toMatchObject({ candidate: expect.stringContaining(' 6000 ') });
    callee.send({ type: 'call_ended', call_id: callId });
    await caller.next('call_ended');
    const call = await harness.settledLog(callId, (record) => record.status === 'ended');
    expect(call).toMatchObject({ status: 'ended', end_reason: 'hangup' });
  });
});

describe('containers', () => {
  it('are processes of their own, one per function at least, running the bundle with plain node', async () => {
    await fresh('parent');
    const pids = ['authorizer', 'connect'].map((id) => runningPid(id));
    expect(pids.every((pid) => pid !== process.pid)).toBe(true);
    expect(new Set(pids).size).toBe(2);
    for (const pid of pids) {
      expect(started(functionOfPid(pid)).map((line) => line.pid)).toContain(pid);
      const { argv } = await processFacts(pid);
      expect(argv.join(' ')).toMatch(/bootstrap\.cjs$/);
      expect(argv.join(' ')).not.toContain('tsx');
    }
  });

  it("hold the template's environment with the gateway's handler settings over it, and never the signing secret", async () => {
    await fresh('student');
    const { env } = await processFacts(runningPid('authorizer'));
    expect(env.has(ENV.jwtSecret)).toBe(false);
    expect(env.get(ENV.jwtSecretArn)).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:/);
    expect(env.get('AWS_ENDPOINT_URL_SECRETS_MANAGER')).toBe(harness.gateway.asDeployed?.secretsManagerEndpoint);
    expect(env.get('AWS_ENDPOINT_URL_DYNAMODB')).toBe(harness.gateway.asDeployed?.dynamodbProxyEndpoint);
    expect(env.get(ENV.managementEndpoint)).toBe(harness.gateway.managementEndpoint);
    expect(env.get('AWS_ACCESS_KEY_ID')).toBe(harness.gateway.asDeployed?.credentialsOf('authorizer').accessKeyId);
    expect(env.get(ENV.ringTimeoutSeconds)).toBe(String(RING_TIMEOUT_SECONDS));
    expect(env.get(ENV.rateLimitOther)).toBe(OTHER_RATE);
    expect(env.get(ENV.logLevel)).toBe('debug');
    expect(env.has('HOME')).toBe(false);
  });

  it('are started for a burst to one function, more than one and never more than the cap', async () => {
    const socket = await fresh('student');
    const before = started('ping').length;
    let most = 0;
    const watching = setInterval(() => {
      most = Math.max(most, harness.gateway.asDeployed!.containers().filter((container) => container.function === 'ping').length);
    }, 2);
    const burst = 12;
    for (let i = 0; i < burst; i++) socket.send({ type: 'ping', ts: String(i) });
    const pongs = await Promise.all(Array.from({ length: burst }, () => socket.next('pong', undefined, COLD_REPLY_MS)));
    clearInterval(watching);
    expect(pongs).toHaveLength(burst);
    // A container started for the burst may finish booting after the first one has answered all of it.
    await vi.waitFor(() => expect(started('ping').length - before).toBeGreaterThan(1), { timeout: COLD_REPLY_MS });
    expect(started('ping').length - before).toBeLessThanOrEqual(MAX_CONTAINERS);
    expect(most).toBeLessThanOrEqual(MAX_CONTAINERS);
  });

  it('are recycled once idle, so the next invocation starts a new one', async () => {
    const socket = await fresh('tutor');
    socket.send({ type: 'ice_servers' });
    await socket.next('ice_servers', undefined, COLD_REPLY_MS);
    const [first] = started('ice-servers');
    await vi.waitFor(() => expect(gatewayLines.some((line) => line.msg === 'container_recycled' && line.pid === first?.pid)).toBe(true), {
      timeout: IDLE_SECONDS * 1000 + 3_000,
    });
    socket.send({ type: 'ice_servers' });
    await socket.next('ice_servers', undefined, COLD_REPLY_MS);
    expect(started('ice-servers')).toHaveLength(2);
    expect(started('ice-servers')[1]?.pid).not.toBe(first?.pid);
  });
});

describe('the authorizer', () => {
  it('verifies tokens with the secret it reads from the secrets endpoint: a good one connects, a forged one gets 401', async () => {
    const socket = await fresh('advertiser');
    expect(await connectionIdsOf(harness.db, `advertiser_${nextProfileId - 1}`)).toHaveLength(1);
    socket.terminate();
    const forged = await new SignJWT({ profile_type: 'student', profile_id: 1, name: 'Mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-stack-secret-not-the-stack-secret'));
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=${forged}`)).toBe(401);
  });

  it("is the one function whose role may read the signing secret, and the endpoint serves it the gateway's secret", async () => {
    const { asDeployed } = harness.gateway;
    const secrets = new SecretsManagerClient({
      region: 'us-east-1',
      credentials: asDeployed!.credentialsOf('authorizer'),
      endpoint: asDeployed!.secretsManagerEndpoint,
    });
    try {
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: asDeployed!.signingSecretArn }));
      expect(SecretString).toBe(harness.gateway.secret);
    } finally {
      secrets.destroy();
    }
  });
});

describe('IAM', () => {
  // A gateway of its own: these refusals are provoked on purpose and must not fail the harness.
  let gateway: LocalGateway;
  const clients: { destroy(): void }[] = [];
  const as = (functionId: string) => ({ region: 'us-east-1', credentials: gateway.asDeployed!.credentialsOf(functionId) });

  beforeAll(async () => {
    gateway = await startLocalGateway({ port: 0, memory: true, quiet: true, asDeployed: asDeployedOptions() ?? {} });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await gateway?.close();
  });

  it("refuses a DynamoDB call outside the function's grants with AccessDeniedException, logged as iam_denied", async () => {
    const dynamodb = new DynamoDBClient({ ...as('ping'), endpoint: gateway.asDeployed!.dynamodbProxyEndpoint, maxAttempts: 1 });
    clients.push(dynamodb);
    const put = new PutItemCommand({ TableName: CONNECTIONS_TABLE.localName, Item: { pk: { S: 'conn#planted' } } });
    await expect(dynamodb.send(put)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const denial = {
      msg: 'iam_denied',
      function: 'ping',
      action: 'dynamodb:PutItem',
      resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${CONNECTIONS_TABLE.localName}`,
    };
    expect(gatewayLines).toContainEqual(expect.objectContaining({ level: 'error', ...denial }));
    expect(gateway.problems().map((problem) => problem.fields)).toContainEqual(expect.objectContaining(denial));
  });

  it('lets the same call through for a function granted it', async () => {
    const dynamodb = new DynamoDBClient({ ...as('connect'), endpoint: gateway.asDeployed!.dynamodbProxyEndpoint, maxAttempts: 1 });
    clients.push(dynamodb);
    const put = new PutItemCommand({ TableName: CONNECTIONS_TABLE.localName, Item: { pk: { S: 'conn#allowed' } } });
    await expect(dynamodb.send(put)).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('refuses the signing secret to a function other than the authorizer', async () => {
    const secrets = new SecretsManagerClient({ ...as('ping'), endpoint: gateway.asDeployed!.secretsManagerEndpoint, maxAttempts: 1 });
    clients.push(secrets);
    const secretId = gateway.asDeployed!.signingSecretArn;
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(
      gateway.problems().some((problem) => problem.msg === 'iam_denied' && problem.fields.action === 'secretsmanager:GetSecretValue'),
    ).toBe(true);
  });

  it('refuses @connections calls to a function without ManageConnections', async () => {
    const management = new ApiGatewayManagementApiClient({ ...as('authorizer'), endpoint: gateway.managementEndpoint, maxAttempts: 1 });
    clients.push(management);
    const post = new PostToConnectionCommand({ ConnectionId: 'someone', Data: new TextEncoder().encode('{}') });
    await expect(management.send(post)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(
      gateway.problems().some((problem) => problem.msg === 'iam_denied' && problem.fields.action === 'execute-api:ManageConnections'),
    ).toBe(true);
  });

  it("takes a function's key id for that function only with its secret: a guessed one is refused at every endpoint", async () => {
    const forged = (functionId: string) => ({
      region: 'us-east-1',
      credentials: { ...gateway.asDeployed!.credentialsOf(functionId), secretAccessKey: 'guessed' },
      maxAttempts: 1,
    });
    const management = new ApiGatewayManagementApiClient({ ...forged('ping'), endpoint: gateway.managementEndpoint });
    const dynamodb = new DynamoDBClient({ ...forged('connect'), endpoint: gateway.asDeployed!.dynamodbProxyEndpoint });
    const secrets = new SecretsManagerClient({ ...forged('authorizer'), endpoint: gateway.asDeployed!.secretsManagerEndpoint });
    clients.push(management, dynamodb, secrets);
    const post = new PostToConnectionCommand({ ConnectionId: 'someone', Data: new TextEncoder().encode('{}') });
    await expect(management.send(post)).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const put = new PutItemCommand({ TableName: CONNECTIONS_TABLE.localName, Item: { pk: { S: 'conn#forged' } } });
    await expect(dynamodb.send(put)).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: gateway.asDeployed!.signingSecretArn }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('refuses the local key at the @connections API: as deployed, only functions granted ManageConnections may post', async () => {
    const management = new ApiGatewayManagementApiClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: gateway.managementEndpoint,
      maxAttempts: 1,
    });
    clients.push(management);
    const post = new PostToConnectionCommand({ ConnectionId: 'someone', Data: new TextEncoder().encode('{}') });
    await expect(management.send(post)).rejects.toMatchObject({ message: 'The security token included in the request is invalid.' });
  });

  it('answers a function with ManageConnections as API Gateway does: GoneException for a socket that is not there', async () => {
    const management = new ApiGatewayManagementApiClient({ ...as('ping'), endpoint: gateway.managementEndpoint, maxAttempts: 1 });
    clients.push(management);
    const post = new PostToConnectionCommand({ ConnectionId: 'nobody', Data: new TextEncoder().encode('{}') });
    await expect(management.send(post)).rejects.toMatchObject({ name: 'GoneException' });
  });
});
