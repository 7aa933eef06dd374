import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { managementRefusal, sendAnswer, type Refusal } from '../../infra/local/as-deployed/access-denied';
import { managementAccess } from '../../infra/local/as-deployed/aws-requests';
import { localAwsIdentity } from '../../infra/local/as-deployed/local-identity';
import { listenOnLoopback, type LoopbackServer } from '../../infra/local/as-deployed/loopback-server';
import { LOCAL_REGION } from '../../infra/local/store';

const identity = localAwsIdentity('local');
const access = managementAccess('POST', 'live', identity, 'Ab1cD2eF3gH=');
const principal = { roleName: 'CallSignal-ConnectRole', functionName: 'CallSignal-connect' };

/** A stand-in @connections API that refuses every call the way given. */
let refusal: Refusal = { verdict: 'unknown-caller' };
let server: LoopbackServer;
let client: ApiGatewayManagementApiClient;
beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((request, response) => request.resume().on('end', () => sendAnswer(response, managementRefusal(refusal, identity)))),
  );
  client = new ApiGatewayManagementApiClient({
    endpoint: `${server.url}/live`,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'ASIACONNECT', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const postRefusal = async (): Promise<Error> => {
  try {
    await client.send(new PostToConnectionCommand({ ConnectionId: 'Ab1cD2eF3gH=', Data: Buffer.from('{}') }));
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the post to be refused');
};

describe('the management API refusing a post', () => {
  it('raises AccessDeniedException with IAM wording when the role lacks ManageConnections', async () => {
    refusal = { verdict: 'denied', principal, explicitDeny: false, access };
    const error = await postRefusal();
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/CallSignal-ConnectRole/CallSignal-connect is not authorized to perform: ' +
        'execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:000000000000:local/live/POST/@connections/Ab1cD2eF3gH=',
    );
  });

  it('says so when an explicit Deny refused it', async () => {
    refusal = { verdict: 'denied', principal, explicitDeny: true, access };
    const error = await postRefusal();
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(/ with an explicit deny$/);
  });

  it('refuses an unknown key with the invalid-token message', async () => {
    refusal = { verdict: 'unknown-caller' };
    const error = await postRefusal();
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe('The security token included in the request is invalid.');
  });
});
