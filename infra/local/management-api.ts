/**
 * The `@connections` management API on `/{stage}/@connections/{connectionId}`, answering the way
 * API Gateway does so the AWS SDK's `ApiGatewayManagementApiClient` works unchanged: errors carry
 * `x-amzn-errortype`, which the SDK turns into an error of that name (`GoneException`, ...).
 *
 * As on AWS, only SigV4-signed requests are served (`signed-endpoint.ts`): signed with the local
 * key in source mode, with a function's own key as deployed, where the signer's role must also allow
 * `execute-api:ManageConnections` on that method and connection, as execute-api's IAM
 * authorization checks it. Nothing a browser sends is served. The gateway serves this API on a
 * loopback port of its own, never on the public one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_MESSAGE_BYTES } from '../../shared/limits';
import { CLOSE_DELETED } from './client-connection';
import { managementRefusal, sendAnswer } from './as-deployed/access-denied';
import { managementAccess } from './as-deployed/aws-requests';
import { authorizeRequest, type Authorize } from './as-deployed/caller-authorization';
import type { LocalAwsIdentity } from './as-deployed/local-identity';
import { sendJson } from './http-util';
import type { GatewayLog } from './log';
import { managementSignatureRefusal } from './signature-refusals';
import { admitSigned, type SignedEndpoint } from './signed-endpoint';
import type { SecretOf } from './signature-v4';
import type { ConnectionDirectory } from './websocket-api';

/** Who may call: the keys whose signatures count and, as deployed, what each key's role allows. */
export interface ManagementAccess {
  secretOf: SecretOf;
  identity: LocalAwsIdentity;
  /** As deployed: the template's IAM, by access key. */
  authorize?: Authorize;
  log: GatewayLog;
}

const MANAGEMENT_METHODS = new Set(['POST', 'GET', 'DELETE']);

const CONNECTIONS_SEGMENT = '@connections';

function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(response, status, { message }, { 'x-amzn-errortype': errorType });
}

const gone = (response: ServerResponse): void => sendError(response, 410, 'GoneException', 'The connection is gone');

/** The connection id of a management path, or undefined when the path is not one. */
export function managementConnectionId(pathname: string, stage: string): string | undefined {
  let segments: string[];
  try {
    // The SDK percent-encodes the id (`=` as `%3D`, and `+`, `/`), so decode segment by segment.
    segments = pathname.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  const [empty, stageSegment, connections, id, ...rest] = segments;
  if (empty !== '' || stageSegment !== stage || connections !== CONNECTIONS_SEGMENT || !id || rest.length > 0) return undefined;
  return id;
}

export function isManagementPath(pathname: string, stage: string): boolean {
  const prefix = `/${stage}/`;
  return pathname.startsWith(prefix) && /^(@|%40)connections(\/|$)/i.test(pathname.slice(prefix.length));
}

/** API Gateway's answer for any path or method it has no route for. */
export function sendNoRoute(request: IncomingMessage, response: ServerResponse, message = 'Missing Authentication Token'): void {
  request.resume();
  sendError(response, 403, 'ForbiddenException', message);
}

const SIGNING_SCOPE = 'execute-api';

function managementEndpoint(access: ManagementAccess, path: string): SignedEndpoint {
  return {
    rules: { service: SIGNING_SCOPE, region: access.identity.region, secretOf: access.secretOf },
    maxBodyBytes: MAX_MESSAGE_BYTES,
    tooLarge: () => ({
      status: 413,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'PayloadTooLargeException' },
      body: JSON.stringify({ message: `Message exceeds ${MAX_MESSAGE_BYTES} bytes` }),
    }),
    refuse: (problem) => managementSignatureRefusal(problem, access.identity),
    refused: (fields) => access.log.warn('management_request_refused', { ...fields, path }),
  };
}

export async function handleManagementRequest(
  request: IncomingMessage,
  response: ServerResponse,
  stage: string,
  connections: ConnectionDirectory,
  access: ManagementAccess,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://management.invalid');
  // Who is asking comes first, so a page or a rebinding name learns nothing, not even which paths exist.
  const admitted = await admitSigned(request, response, managementEndpoint(access, pathname));
  if (!admitted) return;
  const connectionId = managementConnectionId(pathname, stage);
  if (connectionId === undefined || !MANAGEMENT_METHODS.has(request.method ?? '')) return sendNoRoute(request, response);
  if (access.authorize) {
    const requested = managementAccess(request.method ?? '', stage, access.identity, connectionId);
    const decision = authorizeRequest(access.authorize, admitted.accessKeyId, [requested]);
    if (decision.verdict !== 'allowed') return sendAnswer(response, managementRefusal(decision, access.identity));
  }

  switch (request.method) {
    case 'POST': {
      const connection = connections.get(connectionId);
      if (!connection?.post(admitted.body)) return gone(response);
      response.writeHead(200, { 'Content-Length': 0 });
      return void response.end();
    }
    case 'GET': {
      const connection = connections.get(connectionId);
      if (!connection?.isOpen) return gone(response);
      return sendJson(response, 200, {
        connectedAt: new Date(connection.facts.connectedAt).toISOString(),
        identity: { sourceIp: connection.facts.sourceIp, userAgent: connection.facts.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    case 'DELETE': {
      const connection = connections.get(connectionId);
      if (!connection?.isOpen) return gone(response);
      connection.close(CLOSE_DELETED);
      response.writeHead(204);
      return void response.end();
    }
    default:
      return sendNoRoute(request, response);
  }
}
