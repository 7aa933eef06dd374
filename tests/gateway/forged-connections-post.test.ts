/**
 * A web page in the user's browser cannot push a forged message (an invitation from a "tutor") into
 * someone's socket through the local `@connections` API, and nobody without a valid SigV4 signature
 * can either; the handlers' own signed posts, and the SDK's, still go through. Over the real gateway.
 */
import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/store';
import { startHarness, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';
import { connectionIdsOf, rawRequest, sentFromAPage, type RawResponse } from './helpers';

let harness: Harness;
let nextProfileId = 4000;
const clients: ApiGatewayManagementApiClient[] = [];

const managementClient = (credentials = LOCAL_CREDENTIALS): ApiGatewayManagementApiClient => {
  const client = new ApiGatewayManagementApiClient({
    endpoint: harness.gateway.managementEndpoint,
    region: LOCAL_REGION,
    credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await harness?.close();
});

/** The kind of message the attack forged: an invitation that never came from a caller's socket. */
const FORGED_INVITATION = JSON.stringify({
  type: 'call_invitation',
  call_id: '01JFORGEDFORGEDFORGEDFORGED',
  call_type: 'video',
  from_profile_type: 'tutor',
  from_profile_id: 1,
  from_name: 'Your Tutor',
  offer: { type: 'offer', sdp: 'v=0\r\n' },
});

async function openSocket(): Promise<{ socket: TestSocket; id: string }> {
  const profileId = nextProfileId++;
  const socket = await harness.connect('student', profileId);
  const [id] = await connectionIdsOf(harness.db, `student_${profileId}`);
  if (!id) throw new Error('no connection item');
  return { socket, id };
}

const connectionPath = (id: string): string =>
  `${new URL(harness.gateway.managementEndpoint).pathname}/@connections/${encodeURIComponent(id)}`;

/**
 * Runs the attempt, then posts a marker with the signed SDK client: the marker being the only
 * thing the socket received since shows the attempt delivered nothing (posts are delivered in order).
 */
async function deliveredBy(socket: TestSocket, id: string, attempt: () => Promise<unknown>): Promise<unknown[]> {
  const before = socket.received.length;
  await attempt();
  await managementClient().send(new PostToConnectionCommand({ ConnectionId: id, Data: JSON.stringify({ type: 'pong', ts: 'marker' }) }));
  await socket.next('pong', (message) => message.ts === 'marker');
  return socket.received.slice(before).filter((message) => !(message.type === 'pong' && message.ts === 'marker'));
}

const expectNoCorsGrant = (response: RawResponse): void => {
  expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
};

describe('a web page posting to @connections', () => {
  it("delivers nothing with a text/plain POST carrying the page's Origin (the forged invitation)", async () => {
    const { socket, id } = await openSocket();
    let response: RawResponse | undefined;
    const delivered = await deliveredBy(socket, id, async () => {
      response = await rawRequest(harness.gateway.managementEndpoint, {
        method: 'POST',
        path: connectionPath(id),
        headers: { origin: 'http://evil.example', 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
        body: FORGED_INVITATION,
      });
    });
    expect(delivered).toEqual([]);
    expect(response?.status).toBe(403);
    expectNoCorsGrant(response!);
  });

  it('delivers nothing even when the page signs with the well-known local key', async () => {
    const { socket, id } = await openSocket();
    const page = managementClient();
    sentFromAPage(page, 'http://evil.example');
    const delivered = await deliveredBy(socket, id, () =>
      expect(page.send(new PostToConnectionCommand({ ConnectionId: id, Data: FORGED_INVITATION }))).rejects.toThrow(),
    );
    expect(delivered).toEqual([]);
  });

  it('gets no CORS grant for a preflight, so a page cannot send a signed request at all', async () => {
    const { id } = await openSocket();
    const preflight = await rawRequest(harness.gateway.managementEndpoint, {
      method: 'OPTIONS',
      path: connectionPath(id),
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-amz-date',
      },
    });
    expect(preflight.status).toBe(403);
    expectNoCorsGrant(preflight);
  });

  it('finds no @connections API on the public port, which may face the network', async () => {
    const { socket, id } = await openSocket();
    expect(new URL(harness.gateway.managementEndpoint).hostname).toBe('127.0.0.1');
    expect(new URL(harness.gateway.managementEndpoint).port).not.toBe(String(harness.gateway.port));
    let response: RawResponse | undefined;
    const delivered = await deliveredBy(socket, id, async () => {
      response = await rawRequest(harness.gateway.httpUrl, {
        method: 'POST',
        path: connectionPath(id),
        headers: { 'content-type': 'text/plain' },
        body: FORGED_INVITATION,
      });
    });
    expect(delivered).toEqual([]);
    expect(response?.status).toBe(403);
  });
});

describe('a caller without a valid signature', () => {
  it('is refused unsigned, without an Origin too, as API Gateway refuses it (Missing Authentication Token)', async () => {
    const { socket, id } = await openSocket();
    let response: RawResponse | undefined;
    const delivered = await deliveredBy(socket, id, async () => {
      response = await rawRequest(harness.gateway.managementEndpoint, {
        method: 'POST',
        path: connectionPath(id),
        headers: { 'content-type': 'application/octet-stream' },
        body: FORGED_INVITATION,
      });
    });
    expect(delivered).toEqual([]);
    expect(response).toMatchObject({ status: 403, headers: { 'x-amzn-errortype': 'MissingAuthenticationTokenException' } });
    expect(JSON.parse(response!.body)).toEqual({ message: 'Missing Authentication Token' });
  });

  it('is refused with InvalidSignatureException when the local key id is signed with another secret', async () => {
    const { socket, id } = await openSocket();
    const forger = managementClient({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' });
    const delivered = await deliveredBy(socket, id, () =>
      expect(forger.send(new PostToConnectionCommand({ ConnectionId: id, Data: FORGED_INVITATION }))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
      }),
    );
    expect(delivered).toEqual([]);
  });

  it('is refused for a key the gateway does not know, and cannot even ask whether a socket is open', async () => {
    const { socket, id } = await openSocket();
    const stranger = managementClient({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'local' });
    const delivered = await deliveredBy(socket, id, async () => {
      await expect(stranger.send(new PostToConnectionCommand({ ConnectionId: id, Data: FORGED_INVITATION }))).rejects.toMatchObject({
        message: 'The security token included in the request is invalid.',
      });
      await expect(stranger.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toThrow();
    });
    expect(delivered).toEqual([]);
  });
});

describe('signed callers', () => {
  it('still reach the socket through the SDK client signed with the local key', async () => {
    const { socket, id } = await openSocket();
    await managementClient().send(new PostToConnectionCommand({ ConnectionId: id, Data: JSON.stringify({ type: 'pong', ts: 'signed' }) }));
    expect((await socket.next('pong', (message) => message.ts === 'signed')).ts).toBe('signed');
    expect((await managementClient().send(new GetConnectionCommand({ ConnectionId: id }))).Identity?.SourceIp).toBe('127.0.0.1');
  });

  it('include the handlers: a ping is answered through the @connections API', async () => {
    const { socket } = await openSocket();
    socket.send({ type: 'ping', ts: 'handler' });
    expect((await socket.next('pong', (message) => message.ts === 'handler')).ts).toBe('handler');
  });
});
