/**
 * Builds the events API Gateway's WebSocket API hands to Lambda: the REQUEST authorizer event, the
 * `$connect` / message / `$disconnect` proxy events (with `requestContext.authorizer`), the
 * scheduled event, and a Lambda-like `Context`. Shapes follow what API Gateway sends, not the
 * REST-API types, which list fields a WebSocket event never has.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventWebsocketRequestContextV2, Context, ScheduledEvent } from 'aws-lambda';
import { newGatewayId } from './ids';

export interface ApiDescription {
  apiId: string;
  stage: string;
  region: string;
  accountId: string;
}

export type AuthorizerValue = string | number | boolean;
/** What the authorizer allowed: its `context` plus `principalId`, carried by every later event. */
export type AuthorizerContextValues = Record<string, AuthorizerValue>;

/** What is known about a socket from its upgrade request onwards. */
export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  domainName: string;
  sourceIp: string;
  userAgent: string;
}

export interface UpgradeRequestFacts extends ConnectionFacts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | undefined;
  multiValueQueryStringParameters: Record<string, string[]> | undefined;
}

export interface WebSocketRequestContext extends APIGatewayEventWebsocketRequestContextV2 {
  identity: { sourceIp: string; userAgent: string };
  authorizer?: AuthorizerContextValues;
  disconnectStatusCode?: number;
  disconnectReason?: string;
}

export interface WebSocketAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | undefined;
  multiValueQueryStringParameters: Record<string, string[]> | undefined;
  stageVariables: Record<string, string>;
  requestContext: Omit<WebSocketRequestContext, 'authorizer' | 'messageId'> & { messageId: null };
}

export interface WebSocketProxyEvent {
  requestContext: WebSocketRequestContext;
  body?: string;
  isBase64Encoded: boolean;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
}

export interface DisconnectStatus {
  statusCode: number;
  reason: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number): string => String(value).padStart(2, '0');

/** API Gateway's `requestTime`, for example `21/Nov/2025:04:56:00 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const at = new Date(epochMs);
  const date = `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}`;
  return `${date}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}

const withoutIpv4Prefix = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '');

/** Reads headers (original spelling) and query parameters the way API Gateway passes them on. */
export function describeUpgradeRequest(request: IncomingMessage, connectionId: string, connectedAt: number): UpgradeRequestFacts {
  const sourceIp = withoutIpv4Prefix(request.socket.remoteAddress);
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), request.rawHeaders[i + 1] ?? ''];
  }
  // API Gateway is the edge, so it adds the forwarding headers itself.
  multiValueHeaders['X-Forwarded-For'] = [sourceIp];
  multiValueHeaders['X-Forwarded-Port'] = [String(request.socket.localPort ?? '')];
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? '']));

  const query = new URL(request.url ?? '/', 'http://gateway.invalid').searchParams;
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of query) multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  const hasQuery = Object.keys(multiValueQuery).length > 0;

  return {
    connectionId,
    connectedAt,
    domainName: (request.headers.host ?? '').replace(/:\d+$/, ''),
    sourceIp,
    userAgent: request.headers['user-agent'] ?? '',
    headers,
    multiValueHeaders,
    // API Gateway passes null-ish, not empty objects, when there is no query string.
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multiValueQuery).map(([name, values]) => [name, values.at(-1) ?? '']))
      : undefined,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : undefined,
  };
}

function requestContext(
  api: ApiDescription,
  facts: ConnectionFacts,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
  requestId: string,
): WebSocketRequestContext {
  const now = Date.now();
  return {
    routeKey,
    messageId: newGatewayId(),
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: facts.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: facts.sourceIp, userAgent: facts.userAgent },
    requestId,
    domainName: facts.domainName,
    connectionId: facts.connectionId,
    apiId: api.apiId,
  };
}

export function connectMethodArn(api: ApiDescription): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/$connect`;
}

export function authorizerEvent(api: ApiDescription, facts: UpgradeRequestFacts, requestId: string): WebSocketAuthorizerEvent {
  const context = requestContext(api, facts, '$connect', 'CONNECT', requestId);
  return {
    type: 'REQUEST',
    methodArn: connectMethodArn(api),
    headers: facts.headers,
    multiValueHeaders: facts.multiValueHeaders,
    queryStringParameters: facts.queryStringParameters,
    multiValueQueryStringParameters: facts.multiValueQueryStringParameters,
    stageVariables: {},
    requestContext: { ...context, messageId: null },
  };
}

export function connectEvent(
  api: ApiDescription,
  facts: UpgradeRequestFacts,
  requestId: string,
  authorizer: AuthorizerContextValues,
): WebSocketProxyEvent {
  return {
    headers: facts.headers,
    multiValueHeaders: facts.multiValueHeaders,
    ...(facts.queryStringParameters ? { queryStringParameters: facts.queryStringParameters } : {}),
    ...(facts.multiValueQueryStringParameters ? { multiValueQueryStringParameters: facts.multiValueQueryStringParameters } : {}),
    requestContext: { ...requestContext(api, facts, '$connect', 'CONNECT', requestId), authorizer },
    isBase64Encoded: false,
  };
}

export function messageEvent(
  api: ApiDescription,
  facts: ConnectionFacts,
  routeKey: string,
  requestId: string,
  authorizer: AuthorizerContextValues,
  body: { text: string } | { binary: Buffer },
): WebSocketProxyEvent {
  return {
    requestContext: { ...requestContext(api, facts, routeKey, 'MESSAGE', requestId), authorizer },
    body: 'text' in body ? body.text : body.binary.toString('base64'),
    isBase64Encoded: !('text' in body),
  };
}

export function disconnectEvent(
  api: ApiDescription,
  facts: ConnectionFacts,
  requestId: string,
  authorizer: AuthorizerContextValues,
  status: DisconnectStatus,
): WebSocketProxyEvent {
  return {
    headers: { Host: facts.domainName, 'X-Forwarded-For': facts.sourceIp, 'User-Agent': facts.userAgent },
    multiValueHeaders: { Host: [facts.domainName], 'X-Forwarded-For': [facts.sourceIp], 'User-Agent': [facts.userAgent] },
    requestContext: {
      ...requestContext(api, facts, '$disconnect', 'DISCONNECT', requestId),
      authorizer,
      disconnectStatusCode: status.statusCode,
      disconnectReason: status.reason,
    },
    isBase64Encoded: false,
  };
}

export function scheduledEvent(api: ApiDescription, ruleName: string): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: api.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: api.region,
    resources: [`arn:aws:events:${api.region}:${api.accountId}:rule/${ruleName}`],
    detail: {},
  };
}

/** A Lambda `Context`; the deprecated callback-style methods only log, as nothing awaits them. */
export function lambdaContext(api: ApiDescription, functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${api.region}:${api.accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
