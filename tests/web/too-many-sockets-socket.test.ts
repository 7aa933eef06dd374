/**
 * The signaling socket and the call client when the server closes the socket because the profile
 * opened more sockets than allowed: it stays closed (reconnecting would close another tab, which
 * would reconnect in turn) until the user asks, and then picks up where it left off.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallErrorCode, type CallEnd, type CallError, type SignalingSocket } from '../../web/src/client';
import { ScriptedServer, fakeClient, recordedSocket, sleep, until } from './fakes';

const FAST_BACKOFF = { initialMs: 20, maxMs: 100, jitter: 0, random: Math.random };
const TOO_MANY_SOCKETS = { type: 'error', code: 'too_many_sockets', message: 'This profile has too many connections' } as const;
/** Several times the longest backoff: a reconnect that was going to happen would have. */
const LONGER_THAN_ANY_RETRY_MS = 400;

let server: ScriptedServer;
const sockets: SignalingSocket[] = [];

beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close();
});

function open() {
  const recorded = recordedSocket(server, { backoff: FAST_BACKOFF });
  sockets.push(recorded.socket);
  return recorded;
}

/** What the server does to the socket it refuses: tell it why, then close it. */
const refuseForTooManySockets = (): void => server.closeAfter(TOO_MANY_SOCKETS);

describe('a socket closed for too many sockets', () => {
  it('stays closed and says why, even when the browser reports it is online again', async () => {
    const { socket, errors } = open();
    socket.connect();
    await until(() => socket.isOpen);
    refuseForTooManySockets();

    await until(() => errors.length === 1, 2_000, 'too_many_sockets');
    expect(errors[0]?.code).toBe(CallErrorCode.TooManySockets);
    expect(socket.state).toBe('closed');
    socket.reconnectNow(); // what the browser's `online` event does
    await sleep(LONGER_THAN_ANY_RETRY_MS);
    expect(server.sockets).toHaveLength(1);
    expect(socket.state).toBe('closed');
  });

  it('connects again when asked, and delivers what was sent while it was closed', async () => {
    const { socket, opens, states } = open();
    socket.connect();
    await until(() => socket.isOpen);
    refuseForTooManySockets();
    await until(() => socket.state === 'closed', 2_000, 'closed');
    socket.send({ type: 'call_history', limit: 5 });

    socket.reconnect();
    await until(() => opens.length === 2, 2_000, 'reconnected');
    expect(opens).toEqual(['first', 'reconnected']);
    expect(states.slice(-3)).toEqual(['closed', 'reconnecting', 'connected']);
    expect((await server.frame('call_history')).limit).toBe(5);
  });

  it('still reconnects by itself after an ordinary close', async () => {
    const { socket, opens, errors } = open();
    socket.connect();
    await until(() => socket.isOpen);
    server.socket.close(1001, 'Going Away');
    await until(() => opens.length === 2, 2_000, 'reconnected');
    expect(errors).toEqual([]);
  });
});

describe('the call client closed for too many sockets', () => {
  it('ends a call being placed at once, says why, and reconnects only when asked', async () => {
    const client = fakeClient(server, { socket: { backoff: FAST_BACKOFF } });
    const errors: CallError[] = [];
    client.on('error', (error) => errors.push(error));
    client.connect();
    try {
      await until(() => client.socket.isOpen, 2_000, 'client connected');
      const call = client.placeCall({ profile_id: 2, profile_type: 'tutor' }, 'voice');
      const ended = new Promise<CallEnd>((resolve) => call.on('ended', resolve));
      await server.frame('call_invitation');

      refuseForTooManySockets();
      expect(await ended).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.SignalingLost } });
      expect(errors.map((error) => error.code)).toEqual([CallErrorCode.TooManySockets]);
      expect(client.connectionState).toBe('closed');
      await sleep(LONGER_THAN_ANY_RETRY_MS);
      expect(server.sockets).toHaveLength(1);

      client.reconnect();
      await until(() => client.connectionState === 'connected', 2_000, 'reconnected');
      expect(server.sockets).toHaveLength(2);
    } finally {
      client.close();
    }
  });
});
