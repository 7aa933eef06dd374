/**
 * DNS rebinding: a page on a site whose name the attacker points at this machine is same-origin
 * with the gateway as far as the browser knows, so the gateway serves only requests addressed to a
 * name it is really reached by (loopback names, the bound address, `--allowed-host` names). Every
 * port is checked: the page, the WebSocket API, dev sign-in, the @connections API, the store and
 * the platform API.
 * (For other binds, the same rule is in `gateway-rules.test.ts`: no test may listen beyond loopback.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { rawRequest, upgradeStatus } from './helpers';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ allowedHosts: ['callbox.test'] });
});
afterAll(async () => {
  await harness?.close();
});

const SIGN_IN = JSON.stringify({ profile_id: 9001, profile_type: 'student', name: 'Rebound' });

describe('a request for Host evil.example (a rebinding name)', () => {
  const host = (port: number | string) => `evil.example:${port}`;

  it('gets no page, no config, no token, no call grant', async () => {
    const { port, httpUrl } = harness.gateway;
    expect((await rawRequest(httpUrl, { path: '/', headers: { host: host(port) } })).status).toBe(403);
    expect((await rawRequest(httpUrl, { path: '/config.json', headers: { host: host(port) } })).status).toBe(403);
    const signIn = await rawRequest(httpUrl, {
      method: 'POST',
      path: '/dev/token',
      headers: { host: host(port), 'content-type': 'application/json' },
      body: SIGN_IN,
    });
    expect(signIn.status).toBe(403);
    expect(signIn.body).not.toContain('token');
    const grant = await rawRequest(httpUrl, {
      method: 'POST',
      path: '/dev/call-grant',
      headers: { host: host(port), 'content-type': 'application/json' },
      body: JSON.stringify({ callee: { profile_id: 1, profile_type: 'tutor' } }),
    });
    expect(grant.status).toBe(403);
  });

  it('opens no socket', async () => {
    const token = await harness.token({ profile_type: 'student', profile_id: 9002, name: 'Rebound' });
    expect(await upgradeStatus(`${harness.gateway.websocketUrl}?token=${token}`, { host: host(harness.gateway.port) })).toBe(403);
  });

  it('reaches neither the @connections API, nor the store, nor the platform API', async () => {
    for (const endpoint of [harness.gateway.managementEndpoint, harness.gateway.dynamodbEndpoint, harness.gateway.platformApiUrl]) {
      const response = await rawRequest(endpoint, {
        method: 'POST',
        path: '/',
        headers: { host: host(new URL(endpoint).port) },
        body: '{}',
      });
      expect(response.status, endpoint).toBe(403);
      expect(response.body, endpoint).toContain('Unrecognized Host header');
    }
  });
});

describe('a name given with --allowed-host', () => {
  it('is served, as are the loopback names', async () => {
    const { port, httpUrl } = harness.gateway;
    for (const name of ['callbox.test', 'localhost', '127.0.0.1']) {
      const response = await rawRequest(httpUrl, { path: '/config.json', headers: { host: `${name}:${port}` } });
      expect(response.status, name).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ websocketUrl: `ws://${name}:${port}/` });
    }
    const signIn = await rawRequest(httpUrl, {
      method: 'POST',
      path: '/dev/token',
      headers: { host: `callbox.test:${port}`, 'content-type': 'application/json' },
      body: SIGN_IN,
    });
    expect(signIn.status).toBe(200);
  });

  it('is not a name the loopback-only endpoints answer to', async () => {
    const endpoint = harness.gateway.dynamodbEndpoint;
    const response = await rawRequest(endpoint, {
      method: 'POST',
      path: '/',
      headers: { host: `callbox.test:${new URL(endpoint).port}` },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });
});
