/**
 * Reconnecting as soon as the service answers again: the call client, its socket down and its
 * backoff long, asks the probe every so often and connects the moment it answers after failing;
 * a service that answers all along (only its socket refuses) is left to the backoff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CallClient } from '../../web/src/client';
import { FakePeerConnection, ScriptedServer, fakeGetUserMedia, until, wsFactory } from './fakes';

/** Far beyond every wait here: a reconnect seen is the probe's doing, never the backoff's. */
const LONG_BACKOFF = { initialMs: 60_000, maxMs: 60_000, jitter: 0, random: Math.random };

let server: ScriptedServer;
let client: CallClient;

afterEach(async () => {
  client?.close();
  await server?.close();
});

async function clientWithProbe(probe: () => Promise<boolean>): Promise<void> {
  server = await ScriptedServer.start();
  client = new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: fakeGetUserMedia().getUserMedia,
    socket: { backoff: LONG_BACKOFF },
    probe,
    reachability: { intervalMs: 20, maxIntervalMs: 40 },
  });
  client.connect();
  await until(() => client.socket.isOpen, 2_000, 'client connected');
}

describe('the call client while its socket is down', () => {
  it('reconnects at once when the service answers again after failing to', async () => {
    let answering = false;
    let probes = 0;
    await clientWithProbe(async () => {
      probes++;
      return answering;
    });
    const reconnected = server.nextConnection();
    server.socket.terminate();
    await until(() => client.connectionState === 'reconnecting' && probes >= 3, 2_000, 'probes failing');
    expect(client.connectionState).toBe('reconnecting');

    answering = true;
    await reconnected;
    await until(() => client.connectionState === 'connected', 2_000, 'connected again');
  });

  it('leaves a service that answers all along (only its socket refusing) to the backoff', async () => {
    const probedAt: number[] = [];
    await clientWithProbe(async () => {
      probedAt.push(Date.now());
      return true;
    });
    let connections = 0;
    void server.nextConnection().then(() => connections++);
    server.socket.terminate();
    await until(() => probedAt.length >= 4, 2_000, 'four probes');
    expect(connections).toBe(0);
    expect(client.connectionState).toBe('reconnecting');
  });

  it('"Reconnect now" connects at once, whatever the backoff', async () => {
    await clientWithProbe(async () => false);
    const reconnected = server.nextConnection();
    server.socket.terminate();
    await until(() => client.connectionState === 'reconnecting', 2_000, 'reconnecting');
    client.reconnectNow();
    await reconnected;
    await until(() => client.connectionState === 'connected', 2_000, 'connected again');
  });
});
