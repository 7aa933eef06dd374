/**
 * The platform's backend API on a loopback port of its own: the function table's `http` routes,
 * each request handed to its function as API Gateway's HTTP API hands it (a payload format 2.0
 * event, `platform-events.ts`). Like every local AWS stand-in it serves only SigV4-signed requests
 * (service `execute-api`, signed with the local platform key) and nothing a browser sends; as
 * deployed, the key stands for a role with the stack's invoke policy, and IAM is checked against
 * it as execute-api checks `execute-api:Invoke` on each route.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRouteKey, INVOKE_ACTION } from '../../shared/platform-api';
import { managementRefusal, sendAnswer } from './as-deployed/access-denied';
import { authorizeCallers, authorizeRequest, type Authorize } from './as-deployed/caller-authorization';
import type { PolicyStatement } from './as-deployed/iam';
import { assumedRoleArn, invokeArn, type LocalAwsIdentity } from './as-deployed/local-identity';
import type { HttpFunction, LoadedFunction } from './functions';
import type { Invoker } from './invoker';
import type { GatewayLog } from './log';
import {
  answerOf,
  INTERNAL_ERROR,
  matchRoute,
  NOT_FOUND,
  platformEvent,
  type HttpAnswer,
  type IamCaller,
  type PlatformApiDescription,
} from './platform-events';
import { managementSignatureRefusal } from './signature-refusals';
import { admitSigned, type SignedEndpoint } from './signed-endpoint';
import { secretsOf, type AccessKey } from './signature-v4';

/** HTTP APIs take payloads of up to 10 MB; the platform's requests are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Who the platform key is: a role session of the platform's backend. */
export const PLATFORM_PRINCIPAL = { roleName: 'platform-backend', functionName: 'local' } as const;

export interface PlatformApiAccess {
  /** The platform backend's key: the only one whose signatures count. */
  key: AccessKey;
  identity: LocalAwsIdentity;
  api: PlatformApiDescription;
  /** As deployed: what the stack's invoke policy allows the key. */
  authorize?: Authorize;
  log: GatewayLog;
}

/**
 * As deployed: the platform key is a session of a role that holds exactly `statements` (the stack's
 * invoke policy); a request they do not allow is refused and logged as `iam_denied`.
 */
export function platformAuthorization(key: AccessKey, statements: readonly PolicyStatement[], log: GatewayLog): Authorize {
  const authorize = authorizeCallers(new Map([[key.accessKeyId, { ...PLATFORM_PRINCIPAL, statements }]]));
  return (accessKeyId, action, resource) => {
    const decision = authorize(accessKeyId, action, resource);
    if (decision.verdict !== 'allowed')
      log.error('iam_denied', { function: null, principal: PLATFORM_PRINCIPAL.roleName, action, resource });
    return decision;
  };
}

function endpointOf(access: PlatformApiAccess, path: string): SignedEndpoint {
  return {
    rules: { service: 'execute-api', region: access.identity.region, secretOf: secretsOf([access.key]) },
    maxBodyBytes: MAX_BODY_BYTES,
    tooLarge: () => ({
      status: 413,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Request Entity Too Large' }),
    }),
    refuse: (problem) => managementSignatureRefusal(problem, access.identity),
    refused: (fields) => access.log.warn('platform_request_refused', { ...fields, path }),
  };
}

function callerOf(access: PlatformApiAccess): IamCaller {
  const { identity, key } = access;
  return {
    accessKey: key.accessKeyId,
    accountId: identity.accountId,
    userArn: assumedRoleArn(identity, PLATFORM_PRINCIPAL.roleName, PLATFORM_PRINCIPAL.functionName),
    userId: `AROALOCALPLATFORMBACKEND:${PLATFORM_PRINCIPAL.functionName}`,
  };
}

function send(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length, 'x-amzn-requestid': randomUUID() });
  response.end(answer.body);
}

export async function handlePlatformRequest(
  request: IncomingMessage,
  response: ServerResponse,
  routes: readonly HttpFunction[],
  invoker: Invoker,
  access: PlatformApiAccess,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://platform.invalid');
  // Who is asking comes first, so a page or a rebinding name learns nothing, not even which routes exist.
  const admitted = await admitSigned(request, response, endpointOf(access, pathname));
  if (!admitted) return;
  const method = request.method ?? 'GET';
  const match = matchRoute<LoadedFunction>(
    routes.map(({ route, fn }) => ({ route, target: fn })),
    method,
    pathname,
  );
  if (!match) return send(response, NOT_FOUND);
  if (access.authorize) {
    const resource = invokeArn(access.identity, access.api.apiId, access.api.stage, method, pathname);
    const decision = authorizeRequest(access.authorize, admitted.accessKeyId, [{ action: INVOKE_ACTION, resource }]);
    if (decision.verdict !== 'allowed') return sendAnswer(response, managementRefusal(decision, access.identity));
  }
  const requestId = randomUUID();
  const event = platformEvent(
    access.api,
    {
      method,
      url: request.url ?? '/',
      rawHeaders: request.rawHeaders,
      body: admitted.body,
      sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    },
    match,
    callerOf(access),
    requestId,
  );
  const outcome = await invoker.invoke(match.target, event, httpRouteKey(match.route), requestId);
  send(response, outcome.ok ? answerOf(outcome.result) : INTERNAL_ERROR);
}
