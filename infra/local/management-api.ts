/**
 * The `@connections` management API on `/{stage}/@connections/{connectionId}`, answering the way
 * API Gateway does so the AWS SDK's `ApiGatewayManagementApiClient` works unchanged: errors carry
 * `x-amzn-errortype`, which the SDK turns into an error of that name (`GoneException`, ...).
 *
 * In source mode it trusts whoever can reach it (connection ids are 88 random bits). As deployed,
 * every call is checked as execute-api's IAM authorization checks it: the signer's role must allow
 * `execute-api:ManageConnections` on that method and connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_MESSAGE_BYTES } from '../../shared/limits';
import { CLOSE_DELETED } from './client-connection';
import { managementRefusal, sendAnswer } from './as-deployed/access-denied';
import { callerCredential, managementAccess } from './as-deployed/aws-requests';
import { authorizeRequest, type Authorize } from './as-deployed/caller-authorization';
import type { LocalAwsIdentity } from './as-deployed/local-identity';
import { readBody, sendJson } from './http-util';
import type { ConnectionDirectory } from './websocket-api';

/** As deployed: who may call, by the key their request is signed with. */
export interface ManagementAccessCheck {
  authorize: Authorize;
  identity: LocalAwsIdentity;
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

export async function handleManagementRequest(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  stage: string,
  connections: ConnectionDirectory,
  access?: ManagementAccessCheck,
): Promise<void> {
  const connectionId = managementConnectionId(pathname, stage);
  // API Gateway's answer for any path or method it has no route for, before any authorization.
  if (connectionId === undefined || !MANAGEMENT_METHODS.has(request.method ?? '')) {
    return sendError(response, 403, 'ForbiddenException', 'Missing Authentication Token');
  }
  if (access) {
    const requested = managementAccess(request.method ?? '', stage, access.identity, connectionId);
    const decision = authorizeRequest(access.authorize, callerCredential(request.headers.authorization), [requested]);
    if (decision.verdict !== 'allowed') {
      request.resume();
      return sendAnswer(response, managementRefusal(decision, access.identity));
    }
  }

  switch (request.method) {
    case 'POST': {
      const read = await readBody(request, MAX_MESSAGE_BYTES);
      if (!read.ok) return sendError(response, 413, 'PayloadTooLargeException', `Message exceeds ${MAX_MESSAGE_BYTES} bytes`);
      const connection = connections.get(connectionId);
      if (!connection?.post(read.body)) return gone(response);
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
      return sendError(response, 403, 'ForbiddenException', 'Missing Authentication Token');
  }
}
