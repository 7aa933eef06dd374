/**
 * What API Gateway's HTTP API does between a request and a Lambda function, as pure functions:
 * picks the route (method and path, `{name}` matching one path segment), builds the payload format
 * 2.0 event (with the IAM caller in `requestContext.authorizer.iam`), and turns what the function
 * returned into the HTTP answer (a structured result as it is; anything else is a JSON body, 200).
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { httpRouteKey, type HttpRoute } from '../../shared/platform-api';
import { formatRequestTime } from './events';

export interface RouteMatch<T> {
  target: T;
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

function segmentsOf(path: string): string[] {
  return path.split('/').slice(1);
}

/** The route a request takes; undefined when none has its method and path (API Gateway answers 404). */
export function matchRoute<T>(
  routes: readonly { route: HttpRoute; target: T }[],
  method: string,
  pathname: string,
): RouteMatch<T> | undefined {
  const requested = segmentsOf(pathname);
  for (const { route, target } of routes) {
    if (route.method !== method) continue;
    const declared = segmentsOf(route.path);
    if (declared.length !== requested.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = declared.every((segment, index) => {
      const given = requested[index] ?? '';
      const parameter = /^\{([^}]+)\}$/.exec(segment)?.[1];
      if (parameter === undefined) return segment === given;
      if (given === '') return false;
      try {
        pathParameters[parameter] = decodeURIComponent(given);
        return true;
      } catch {
        return false;
      }
    });
    if (matches) return { target, route, pathParameters };
  }
  return undefined;
}

export interface PlatformApiDescription {
  apiId: string;
  stage: string;
  accountId: string;
}

/** Who signed the request, as `requestContext.authorizer.iam` tells it. */
export interface IamCaller {
  accessKey: string;
  accountId: string;
  userArn: string;
  /** The principal's unique id (for a role session `AROA…:session`). */
  userId: string;
}

export interface ReceivedHttpRequest {
  method: string;
  /** The raw path and query, as it arrived. */
  url: string;
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
}

const TEXT_TYPES = /^(application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** Headers as API Gateway passes them in format 2.0: lowercase names, repeated ones joined by commas. */
function headersOf(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

function queryOf(search: URLSearchParams): Record<string, string> | undefined {
  const query: Record<string, string> = {};
  for (const [name, value] of search) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  return Object.keys(query).length > 0 ? query : undefined;
}

export function platformEvent(
  api: PlatformApiDescription,
  request: ReceivedHttpRequest,
  match: RouteMatch<unknown>,
  caller: IamCaller,
  requestId: string,
  now: number = Date.now(),
): APIGatewayProxyEventV2WithIAMAuthorizer {
  const url = new URL(request.url, 'http://platform.invalid');
  const headers = headersOf(request.rawHeaders);
  const domainName = (headers.host ?? '').replace(/:\d+$/, '');
  const text = request.body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const routeKey = httpRouteKey(match.route);
  const query = queryOf(url.searchParams);
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      authorizer: { iam: { ...caller, callerId: caller.userId, cognitoIdentity: null, principalOrgId: '' } },
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: api.stage,
      time: formatRequestTime(now),
      timeEpoch: now,
    },
    ...(request.body.length > 0 ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: !text,
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a format 2.0 function returned, as the HTTP answer API Gateway makes of it. */
export function answerOf(result: unknown): HttpAnswer {
  if (isRecord(result) && typeof result.statusCode === 'number') {
    const headers: Record<string, string> = {};
    if (isRecord(result.headers)) for (const [name, value] of Object.entries(result.headers)) headers[name.toLowerCase()] = String(value);
    const body = typeof result.body === 'string' ? result.body : '';
    return { status: result.statusCode, headers, body: Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8') };
  }
  // Anything else is taken as the body of a 200 JSON answer (a string as it is).
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

/** API Gateway's own answers, as HTTP APIs word them. */
export const NOT_FOUND: HttpAnswer = jsonAnswer(404, { message: 'Not Found' });
export const INTERNAL_ERROR: HttpAnswer = jsonAnswer(500, { message: 'Internal Server Error' });

function jsonAnswer(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body), 'utf8') };
}
