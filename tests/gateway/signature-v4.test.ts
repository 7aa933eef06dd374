/**
 * The local endpoints' SigV4 check against what the AWS SDK really signs (its own signer, over a
 * real HTTP request): accepted as sent, refused once anything signed is changed, out of its
 * 15-minute window, or scoped to another service.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsOf, verifySignature, type ReceivedRequest } from '../../infra/local/signature-v4';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/store';

/** Records each request as it arrived and answers 400, so the SDK gives up at once. */
let server: Server;
let endpoint: string;
const arrived: ReceivedRequest[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      arrived.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function signedBySdk(send: () => Promise<unknown>): Promise<ReceivedRequest> {
  const before = arrived.length;
  await send().catch(() => undefined);
  const request = arrived[before];
  if (!request) throw new Error('nothing arrived');
  return request;
}

const dynamodb = { service: 'dynamodb', region: LOCAL_REGION, secretOf: secretsOf([LOCAL_CREDENTIALS]) };
const executeApi = { ...dynamodb, service: 'execute-api' };

async function signedScan(): Promise<ReceivedRequest> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    return await signedBySdk(() => client.send(new ScanCommand({ TableName: 'call_logs' })));
  } finally {
    client.destroy();
  }
}

const dateOf = (request: ReceivedRequest): Date => {
  const text = String(request.headers['x-amz-date']);
  return new Date(
    `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`,
  );
};
const withHeaders = (request: ReceivedRequest, headers: IncomingHttpHeaders): ReceivedRequest => ({
  ...request,
  headers: { ...request.headers, ...headers },
});
const MINUTE = 60_000;

describe('a request the SDK signed with the local key', () => {
  it('is accepted as it arrived', async () => {
    expect(verifySignature(await signedScan(), dynamodb)).toEqual({ valid: true, accessKeyId: 'local' });
  });

  it('is accepted for @connections paths the SDK escapes (ids with = + /), GET, POST and bodies alike', async () => {
    const client = new ApiGatewayManagementApiClient({
      endpoint: `${endpoint}/local`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      for (const ConnectionId of ['Ab1cD2eF3gH=', 'a+b/c==', 'x y']) {
        const get = await signedBySdk(() => client.send(new GetConnectionCommand({ ConnectionId })));
        expect(verifySignature(get, executeApi), `${ConnectionId}: ${get.url}`).toMatchObject({ valid: true });
        const post = await signedBySdk(() =>
          client.send(new PostToConnectionCommand({ ConnectionId, Data: new TextEncoder().encode('{"type":"pong"}') })),
        );
        expect(verifySignature(post, executeApi), `${ConnectionId}: ${post.url}`).toMatchObject({ valid: true });
      }
    } finally {
      client.destroy();
    }
  });
});

describe('a signed request changed on the way', () => {
  it('is refused when its body changed (another table scanned)', async () => {
    const scan = await signedScan();
    const other = { ...scan, body: Buffer.from(scan.body.toString().replace('call_logs', 'connections')) };
    expect(verifySignature(other, dynamodb)).toMatchObject({ valid: false, refusal: 'InvalidSignature' });
  });

  it('is refused when a signed header changed (another operation)', async () => {
    const scan = await signedScan();
    expect(verifySignature(withHeaders(scan, { 'x-amz-target': 'DynamoDB_20120810.DeleteTable' }), dynamodb)).toMatchObject({
      valid: false,
      refusal: 'InvalidSignature',
    });
  });

  it('is refused when its Host changed (sent on to another endpoint)', async () => {
    const scan = await signedScan();
    expect(verifySignature(withHeaders(scan, { host: '127.0.0.1:1' }), dynamodb)).toMatchObject({
      valid: false,
      refusal: 'InvalidSignature',
    });
  });
});

describe('a signed request out of place', () => {
  it('is refused more than 15 minutes after its date, and more than 15 minutes before it', async () => {
    const scan = await signedScan();
    const signedAt = dateOf(scan).getTime();
    expect(verifySignature(scan, dynamodb, new Date(signedAt + 14 * MINUTE))).toMatchObject({ valid: true });
    expect(verifySignature(scan, dynamodb, new Date(signedAt + 16 * MINUTE))).toMatchObject({
      valid: false,
      message: expect.stringMatching(/^Signature expired/),
    });
    expect(verifySignature(scan, dynamodb, new Date(signedAt - 16 * MINUTE))).toMatchObject({
      valid: false,
      message: expect.stringMatching(/^Signature not yet current/),
    });
  });

  it('is refused by another service: a store signature does not open @connections', async () => {
    expect(verifySignature(await signedScan(), executeApi)).toMatchObject({
      valid: false,
      refusal: 'InvalidSignature',
      message: expect.stringContaining("correct service: 'execute-api'"),
    });
  });

  it('is refused by an endpoint that does not know its key', async () => {
    const stranger = { ...dynamodb, secretOf: secretsOf([{ accessKeyId: 'ASIAOTHER', secretAccessKey: 'local' }]) };
    expect(verifySignature(await signedScan(), stranger)).toMatchObject({ valid: false, refusal: 'UnrecognizedClient' });
  });
});
