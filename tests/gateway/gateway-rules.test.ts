/** The small decisions the gateway makes like API Gateway: routes, policies, paths, hosts. */
import { describe, expect, it } from 'vitest';
import { evaluateAuthorizerResult } from '../../infra/local/authorizer-policy';
import { findMissingEntries, loadFunctions, MissingHandlersError } from '../../infra/local/functions';
import { hostPolicy } from '../../infra/local/host-check';
import { Invoker, TimeoutError } from '../../infra/local/invoker';
import type { GatewayLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { managementConnectionId } from '../../infra/local/management-api';
import { selectRoute } from '../../infra/local/route-selection';
import { resolveInside } from '../../infra/local/static-files';
import type { FunctionDefinition } from '../../shared/routes';

describe('route selection on $request.body.type', () => {
  const routes = new Set(['ping', 'call_invitation']);

  it('routes a JSON object by its type', () => {
    expect(selectRoute('{"type":"ping","ts":1}', routes)).toBe('ping');
  });

  it('sends everything else to $default', () => {
    for (const body of [undefined, 'not json', '[]', 'null', '"ping"', '{}', '{"type":5}', '{"type":"nope"}', '{"type":"$connect"}']) {
      expect(selectRoute(body, new Set([...routes, '$connect'])), String(body)).toBe('$default');
    }
  });
});

describe('authorizer policy', () => {
  const arn = 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect';
  const policy = (Effect: string, Resource: string | string[] = arn, Action: string | string[] = 'execute-api:Invoke') => ({
    principalId: 'student_1',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action, Effect, Resource }] },
    context: { profileId: '1', count: 2, admin: false },
  });

  it('lets an Allow through with its context and principalId', () => {
    expect(evaluateAuthorizerResult(policy('Allow'), arn)).toEqual({
      effect: 'Allow',
      authorizer: { profileId: '1', count: 2, admin: false, principalId: 'student_1' },
    });
  });

  it('honours wildcards in resources and actions', () => {
    expect(evaluateAuthorizerResult(policy('Allow', 'arn:aws:execute-api:*:*:local/*', 'execute-api:*'), arn).effect).toBe('Allow');
  });

  it('refuses a Deny, and an Allow for some other resource', () => {
    expect(evaluateAuthorizerResult(policy('Deny'), arn).effect).toBe('Deny');
    expect(evaluateAuthorizerResult(policy('Allow', `${arn}/elsewhere`), arn).effect).toBe('Deny');
  });

  it('treats a malformed answer as the authorizer’s own failure', () => {
    expect(evaluateAuthorizerResult(undefined, arn).effect).toBe('Invalid');
    expect(evaluateAuthorizerResult({ ...policy('Allow'), context: { nested: { a: 1 } } }, arn).effect).toBe('Invalid');
  });
});

describe('management API paths', () => {
  it('decodes the connection id the SDK percent-encodes', () => {
    expect(managementConnectionId('/local/%40connections/L0SM9c%2BFv%2FcCIhw%3D', 'local')).toBe('L0SM9c+Fv/cCIhw=');
    expect(managementConnectionId('/local/@connections/abc=', 'local')).toBe('abc=');
  });

  it('knows no other paths', () => {
    expect(managementConnectionId('/other/@connections/abc', 'local')).toBeUndefined();
    expect(managementConnectionId('/local/@connections/', 'local')).toBeUndefined();
    expect(managementConnectionId('/local/@connections/a/b', 'local')).toBeUndefined();
  });
});

describe('static files', () => {
  it('never resolves outside the web root', () => {
    expect(resolveInside('/srv/web', '/app.js')).toBe('/srv/web/app.js');
    expect(resolveInside('/srv/web', '/../secret')).toBeUndefined();
    expect(resolveInside('/srv/web', '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/web', '/a%00b')).toBeUndefined();
    expect(resolveInside('/srv/web', '/%E0%A4%A')).toBeUndefined();
  });
});

describe('Host header check (DNS rebinding)', () => {
  const loopback = hostPolicy({ bindAddress: '127.0.0.1' });

  it('serves loopback names on a loopback bind, and no other name', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080', 'app.localhost:1']) {
      expect(loopback.accepts(host), host).toBe(true);
    }
    for (const host of ['evil.example:8080', '127.0.0.1.evil.example', '192.168.1.5:8080', undefined]) {
      expect(loopback.accepts(host), String(host)).toBe(false);
    }
  });

  it('beyond loopback, serves the bound address and the allowed names, and still refuses a rebinding name', () => {
    const lan = hostPolicy({ bindAddress: '192.168.1.5', allowedHosts: ['callbox.lan'] });
    for (const host of ['192.168.1.5:8080', 'callbox.lan:8080', 'CallBox.LAN.', 'localhost:8080'])
      expect(lan.accepts(host), host).toBe(true);
    for (const host of ['evil.example:8080', '192.168.1.6:8080', 'callbox.lan.evil.example']) expect(lan.accepts(host), host).toBe(false);
  });

  it('on a wildcard bind, serves the addresses of this machine only', () => {
    const everywhere = hostPolicy({ bindAddress: '0.0.0.0', machineAddresses: ['127.0.0.1', '10.0.0.7', 'fe80::1'] });
    for (const host of ['10.0.0.7:8080', '[fe80::1]:8080', '127.0.0.1:8080']) expect(everywhere.accepts(host), host).toBe(true);
    for (const host of ['evil.example:8080', '10.0.0.8:8080', '[fe80::2]:8080']) expect(everywhere.accepts(host), host).toBe(false);
    expect(hostPolicy({ bindAddress: '::', machineAddresses: ['10.0.0.7'] }).accepts('evil.example')).toBe(false);
  });
});

describe('handler modules', () => {
  const definition = (entry: string): FunctionDefinition => ({
    id: 'missing',
    entry,
    trigger: { kind: 'schedule' },
    access: { connections: 'none', callLogs: 'none', profileSettings: 'none', manageConnections: false, signingSecret: false },
  });

  it('fails fast, naming every module that does not exist', async () => {
    const definitions = [
      definition('lambdas/handlers/ping.ts'),
      definition('lambdas/handlers/nope.ts'),
      definition('lambdas/handlers/nada.ts'),
    ];
    expect(await findMissingEntries(PROJECT_ROOT, definitions)).toEqual(['lambdas/handlers/nope.ts', 'lambdas/handlers/nada.ts']);
    await expect(loadFunctions(PROJECT_ROOT, definitions)).rejects.toBeInstanceOf(MissingHandlersError);
  });
});

describe('invocations', () => {
  const api = { apiId: 'local', stage: 'local', region: 'us-east-1', accountId: '000000000000' };
  const logged: string[] = [];
  const log: GatewayLog = { debug: () => {}, info: () => {}, warn: () => {}, error: (msg) => logged.push(msg) };
  const fn = (handler: () => unknown) => ({ id: 'test', entry: 'test.ts', handler });

  it('turns a throw, a rejection or a timeout into a logged failure, never an exception', async () => {
    const invoker = new Invoker(api, log, 50);
    const thrown = await invoker.invoke(
      fn(() => {
        throw new Error('sync');
      }),
      {},
      'ping',
    );
    const rejected = await invoker.invoke(
      fn(async () => Promise.reject(new Error('async'))),
      {},
      'ping',
    );
    const hung = await invoker.invoke(
      fn(() => new Promise(() => undefined)),
      {},
      'ping',
    );
    expect([thrown.ok, rejected.ok, hung.ok]).toEqual([false, false, false]);
    expect(!hung.ok && hung.error).toBeInstanceOf(TimeoutError);
    expect(logged).toEqual(['handler_failed', 'handler_failed', 'handler_failed']);
  });

  it('gives each invocation a Lambda-like context', async () => {
    const invoker = new Invoker(api, log, 1_000);
    const outcome = await invoker.invoke({ id: 'ping', entry: 'ping.ts', handler: (_event, context) => context }, {}, 'ping');
    expect(outcome.ok && outcome.result).toMatchObject({ functionName: 'ping', awsRequestId: expect.any(String) });
  });
});
