/**
 * A web page in the user's browser cannot read the embedded store (a Scan of `call_logs`: who called
 * whom, when), and nobody without a valid SigV4 signature by the local key can; the handlers (a real
 * call placed) and signed clients still can. Over the real gateway and store.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/store';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { offer, startHarness, type Harness } from '../support/harness';
import { rawRequest, sentFromAPage, type RawResponse } from './helpers';

let harness: Harness;
let callId: string;
const clients: DynamoDBClient[] = [];

const storeClientWith = (credentials: { accessKeyId: string; secretAccessKey: string }): DynamoDBClient => {
  const client = new DynamoDBClient({ endpoint: harness.gateway.dynamodbEndpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
};

const SCAN_CALL_LOGS = JSON.stringify({ TableName: CALL_LOGS_TABLE.localName });
const scanHeaders = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan' };
/** What a page can make up: the right shape, the well-known key id, and a signature it cannot compute. */
const fakeSignature = (): Record<string, string> => {
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  return {
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=local/${amzDate.slice(0, 8)}/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
  };
};

const scan = (headers: Record<string, string>, method = 'POST'): Promise<RawResponse> =>
  rawRequest(harness.gateway.dynamodbEndpoint, { method, path: '/', headers, body: method === 'POST' ? SCAN_CALL_LOGS : '' });

/** The response leaks nothing of the call log. */
const expectNothingRead = (response: RawResponse): void => {
  expect(response.body).not.toContain(callId);
  expect(response.body).not.toContain('"Items"');
  expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
};

beforeAll(async () => {
  harness = await startHarness();
  // A real call, placed through the handlers (every step of it a signed store call): the log the attacks go after.
  const caller = await harness.connect('student', 7001, 'John Doe');
  const callee = await harness.connect('tutor', 7002, 'Ada Tutor');
  caller.send({
    type: 'call_invitation',
    call_type: 'voice',
    conversation_id: 1,
    to_profile_type: 'tutor',
    to_profile_id: 7002,
    offer: offer(),
  });
  callId = (await callee.next('call_invitation')).call_id;
  expect((await caller.next('call_ringing')).call_id).toBe(callId);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await harness?.close();
});

describe("a web page's Scan of call_logs", () => {
  it('is refused, with no items and no CORS grant, when sent with the Origin header and a made-up signature', async () => {
    const response = await scan({ ...scanHeaders, ...fakeSignature(), origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    expectNothingRead(response);
  });

  it('gets no CORS grant for its preflight, so the browser never sends the Scan', async () => {
    const preflight = await scan(
      {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
      'OPTIONS',
    );
    expect(preflight.status).toBe(403);
    expectNothingRead(preflight);
  });

  it('is refused even when the page signs it with the well-known local key', async () => {
    const page = storeClientWith(LOCAL_CREDENTIALS);
    sentFromAPage(page, 'http://evil.example');
    await expect(page.send(new ScanCommand({ TableName: CALL_LOGS_TABLE.localName }))).rejects.toThrow();
  });

  it('is refused as a no-cors request that carries only Sec-Fetch-Site', async () => {
    const response = await scan({ ...scanHeaders, ...fakeSignature(), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' });
    expect(response.status).toBe(403);
    expectNothingRead(response);
  });
});

describe('a Scan without a valid signature', () => {
  it('is refused as DynamoDB refuses it when unsigned (MissingAuthenticationTokenException)', async () => {
    const response = await scan(scanHeaders);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException' });
    expectNothingRead(response);
  });

  it('is refused with a made-up signature (InvalidSignatureException)', async () => {
    const response = await scan({ ...scanHeaders, ...fakeSignature() });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'com.amazon.coral.service#InvalidSignatureException' });
    expectNothingRead(response);
  });

  it('is refused when signed with another secret, or with a key the store does not know', async () => {
    const guessed = storeClientWith({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' });
    await expect(guessed.send(new ScanCommand({ TableName: CALL_LOGS_TABLE.localName }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const stranger = storeClientWith({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'local' });
    await expect(stranger.send(new ScanCommand({ TableName: CALL_LOGS_TABLE.localName }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
  });
});

describe('signed clients', () => {
  it('read the call the handlers logged: the local key still opens the store', async () => {
    const { Items = [] } = await storeClientWith(LOCAL_CREDENTIALS).send(new ScanCommand({ TableName: CALL_LOGS_TABLE.localName }));
    expect(Items.map((item) => item.call_id?.S)).toContain(callId);
    expect(await harness.callLog(callId)).toMatchObject({ call_id: callId });
  });
});
