/**
 * What the local platform API does between a request and its function, as API Gateway's HTTP API
 * does it: the route a request takes, the payload format 2.0 event, and the answer made of what the
 * function returned.
 */
import { describe, expect, it } from 'vitest';
import { answerOf, matchRoute, platformEvent } from '../../infra/local/platform-events';
import { PLATFORM_ROUTES } from '../../shared/platform-api';

const routes = Object.values(PLATFORM_ROUTES).map((route) => ({ route, target: `${route.method} ${route.path}` }));
const api = { apiId: 'platform', stage: '$default', accountId: '000000000000' };
const caller = {
  accessKey: 'AKIAEXAMPLE',
  accountId: '000000000000',
  userArn: 'arn:aws:sts::000000000000:assumed-role/b/s',
  userId: 'AROA:s',
};

describe('picking the route', () => {
  it('matches method and path, a parameter standing for one decoded segment', () => {
    expect(matchRoute(routes, 'GET', '/v1/profiles/tutor/a%40b.c/calls')).toEqual({
      target: 'GET /v1/profiles/{profile_type}/{profile_id}/calls',
      route: PLATFORM_ROUTES.callLogs,
      pathParameters: { profile_type: 'tutor', profile_id: 'a@b.c' },
    });
    expect(matchRoute(routes, 'POST', '/v1/presence')?.target).toBe('POST /v1/presence');
  });

  it('matches nothing for another method, an extra or a missing segment, or an empty parameter', () => {
    expect(matchRoute(routes, 'GET', '/v1/presence')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/v1/presence/extra')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/v1/profiles/tutor/calls')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/v1/profiles/tutor//calls')).toBeUndefined();
  });
});

describe('the payload format 2.0 event', () => {
  const match = matchRoute(routes, 'GET', '/v1/profiles/tutor/42/calls')!;
  const event = platformEvent(
    api,
    {
      method: 'GET',
      url: '/v1/profiles/tutor/42/calls?limit=2&before=X&limit=3',
      rawHeaders: ['Host', '127.0.0.1:9000', 'X-Trace', 'a', 'x-trace', 'b'],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    },
    match,
    caller,
    'request-1',
    Date.parse('2026-01-01T12:00:00Z'),
  );

  it('carries the route key, path, query and path parameters as API Gateway passes them', () => {
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/profiles/{profile_type}/{profile_id}/calls',
      rawPath: '/v1/profiles/tutor/42/calls',
      rawQueryString: 'limit=2&before=X&limit=3',
      queryStringParameters: { limit: '2,3', before: 'X' },
      pathParameters: { profile_type: 'tutor', profile_id: '42' },
      headers: { host: '127.0.0.1:9000', 'x-trace': 'a,b' },
      isBase64Encoded: false,
    });
    expect(event).not.toHaveProperty('body');
  });

  it('names the IAM caller and the request', () => {
    expect(event.requestContext).toMatchObject({
      apiId: 'platform',
      stage: '$default',
      requestId: 'request-1',
      routeKey: 'GET /v1/profiles/{profile_type}/{profile_id}/calls',
      http: { method: 'GET', path: '/v1/profiles/tutor/42/calls', sourceIp: '127.0.0.1' },
      time: '01/Jan/2026:12:00:00 +0000',
      timeEpoch: Date.parse('2026-01-01T12:00:00Z'),
      authorizer: { iam: { accessKey: 'AKIAEXAMPLE', userArn: caller.userArn, callerId: 'AROA:s', cognitoIdentity: null } },
    });
  });

  it('passes a JSON body as text and anything else base64-encoded', () => {
    const post = matchRoute(routes, 'POST', '/v1/presence')!;
    const request = (contentType: string, body: Buffer) => ({
      method: 'POST',
      url: '/v1/presence',
      rawHeaders: ['content-type', contentType],
      body,
      sourceIp: '127.0.0.1',
    });
    expect(platformEvent(api, request('application/json', Buffer.from('{"a":1}')), post, caller, 'r')).toMatchObject({
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect(platformEvent(api, request('application/octet-stream', Buffer.from([0, 255])), post, caller, 'r')).toMatchObject({
      body: 'AP8=',
      isBase64Encoded: true,
    });
  });
});

describe('the answer made of what the function returned', () => {
  it('takes a structured result as it is', () => {
    const answer = answerOf({ statusCode: 409, headers: { 'Content-Type': 'application/json' }, body: '{"error":"already_in_call"}' });
    expect(answer).toEqual({
      status: 409,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"error":"already_in_call"}'),
    });
    expect(answerOf({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }).body).toEqual(Buffer.from([0, 255]));
  });

  it('makes anything else the JSON body of a 200', () => {
    expect(answerOf({ ok: true })).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"ok":true}'),
    });
  });
});
