import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, TABLES } from '../../shared/tables';
import { authorizeCallers, type Caller } from '../../infra/local/as-deployed/caller-authorization';
import { startDynamoDbProxy, type DynamoDbProxy } from '../../infra/local/as-deployed/dynamodb-proxy';
import type { PolicyStatement } from '../../infra/local/as-deployed/iam';
import { localAwsIdentity, tableArn } from '../../infra/local/as-deployed/local-identity';
import { createLog } from '../../infra/local/log';
import { secretsOf } from '../../infra/local/signature-v4';
import { ensureTables, LOCAL_REGION, startStore, type LocalStore } from '../../infra/local/store';

const identity = localAwsIdentity('local');
const CONNECTIONS = tableArn(identity, CONNECTIONS_TABLE.localName);
const CALL_LOGS = tableArn(identity, CALL_LOGS_TABLE.localName);

const allow = (actions: string[], resources: string[]): PolicyStatement => ({
  effect: 'Allow',
  actions: { negated: false, patterns: actions },
  resources: { negated: false, patterns: resources },
  source: 'TestPolicy',
});

/** Two functions as the template grants them: one writes connections, the other only reads them. */
const WRITER: Caller = {
  roleName: 'CallSignal-WriterRole',
  functionName: 'CallSignal-connect',
  statements: [
    allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'], [CONNECTIONS]),
    { ...allow(['dynamodb:PutItem'], [CALL_LOGS]), effect: 'Deny' },
  ],
};
const READER: Caller = {
  roleName: 'CallSignal-ReaderRole',
  functionName: 'CallSignal-presence-query',
  statements: [allow(['dynamodb:GetItem', 'dynamodb:Query'], [CONNECTIONS, `${CONNECTIONS}/index/*`])],
};

let store: LocalStore;
let proxy: DynamoDbProxy;
const clients: DynamoDBClient[] = [];
const clientWithKey = (accessKeyId: string): DynamoDBClient => {
  const client = new DynamoDBClient({
    endpoint: proxy.url,
    region: LOCAL_REGION,
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  store = await startStore(undefined);
  await ensureTables(store.client, TABLES, createLog('error'));
  proxy = await startDynamoDbProxy({
    upstream: store.endpoint,
    identity,
    authorize: authorizeCallers(
      new Map([
        ['ASIAWRITER', WRITER],
        ['ASIAREADER', READER],
      ]),
    ),
    secretOf: secretsOf(['ASIAWRITER', 'ASIAREADER'].map((accessKeyId) => ({ accessKeyId, secretAccessKey: 'local' }))),
  });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await proxy?.close();
  await store?.close();
});

const socketItem = (id: string) => ({
  pk: { S: `conn#${id}` },
  profile_key: { S: 'student_1' },
  connected_at: { S: '2026-12-01T00:00:00Z' },
});
const storedSocket = async (id: string) =>
  (await store.client.send(new GetItemCommand({ TableName: 'connections', Key: { pk: { S: `conn#${id}` } } }))).Item;

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the call to be refused');
};

describe('the IAM-checking DynamoDB endpoint', () => {
  it('passes an allowed call through to the store, answer and all', async () => {
    const writer = clientWithKey('ASIAWRITER');
    await writer.send(new PutItemCommand({ TableName: 'connections', Item: socketItem('a') }));
    expect(await storedSocket('a')).toEqual(socketItem('a'));
    const { Item } = await clientWithKey('ASIAREADER').send(new GetItemCommand({ TableName: 'connections', Key: { pk: { S: 'conn#a' } } }));
    expect(Item).toEqual(socketItem('a'));
  });

  it('refuses a call the role does not allow as DynamoDB does, and nothing is written', async () => {
    const error = await rejection(
      clientWithKey('ASIAREADER').send(new PutItemCommand({ TableName: 'connections', Item: socketItem('b') })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/CallSignal-ReaderRole/CallSignal-presence-query is not authorized to perform: ' +
        `dynamodb:PutItem on resource: ${CONNECTIONS} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(await storedSocket('b')).toBeUndefined();
  });

  it('says so when an explicit Deny refused the call', async () => {
    const error = await rejection(
      clientWithKey('ASIAWRITER').send(new PutItemCommand({ TableName: 'call_logs', Item: { call_id: { S: 'c1' } } })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('with an explicit deny in an identity-based policy');
    expect((await store.client.send(new GetItemCommand({ TableName: 'call_logs', Key: { call_id: { S: 'c1' } } }))).Item).toBeUndefined();
  });

  it('checks a query on an index against the index ARN', async () => {
    const query = new QueryCommand({
      TableName: 'connections',
      IndexName: 'by_profile',
      KeyConditionExpression: 'profile_key = :key',
      ExpressionAttributeValues: { ':key': { S: 'student_1' } },
    });
    const { Items } = await clientWithKey('ASIAREADER').send(query);
    expect(Items?.map((item) => item.pk?.S)).toContain('conn#a');
    // The writer may touch the table, not its index.
    expect((await rejection(clientWithKey('ASIAWRITER').send(query))).name).toBe('AccessDeniedException');
  });

  it('refuses a batch write when one of its tables is not allowed, writing to none', async () => {
    const batch = new BatchWriteItemCommand({
      RequestItems: {
        connections: [{ PutRequest: { Item: socketItem('c') } }],
        call_logs: [{ PutRequest: { Item: { call_id: { S: 'c2' } } } }],
      },
    });
    const error = await rejection(clientWithKey('ASIAWRITER').send(batch));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(`dynamodb:BatchWriteItem on resource: ${CALL_LOGS}`);
    expect(await storedSocket('c')).toBeUndefined();
  });

  it('answers an unknown access key as AWS does, and nothing is written', async () => {
    const error = await rejection(
      clientWithKey('ASIANOBODY').send(new PutItemCommand({ TableName: 'connections', Item: socketItem('d') })),
    );
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(await storedSocket('d')).toBeUndefined();
  });

  it('never forwards an operation it cannot check, such as the store API version no policy names', async () => {
    const client = clientWithKey('ASIAREADER');
    // Signed like any request, but asking for the 2011 API's Scan, which the store would still run.
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-amz-target'] = 'DynamoDB_20111205.Scan';
        return next(args);
      },
      { step: 'build' },
    );
    const error = await client.send(new ScanCommand({ TableName: CALL_LOGS_TABLE.localName })).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('UnknownOperationException');
  });

  it('refuses an unsigned request before doing anything', async () => {
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: JSON.stringify({ TableName: 'connections', Item: socketItem('e') }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
    expect(await storedSocket('e')).toBeUndefined();
  });
});
