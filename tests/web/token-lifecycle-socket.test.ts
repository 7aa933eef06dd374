/** The signaling socket when the server closes it for an expired token, and when a call moves to another socket. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallErrorCode, type SignalingSocket } from '../../web/src/client';
import { callId, envelope, recordedSocket, ScriptedServer, until } from './fakes';

const FAST_BACKOFF = { initialMs: 20, maxMs: 100, jitter: 0, random: Math.random };
const TOKEN_EXPIRED = { type: 'error', code: 'token_expired', message: 'expired' } as const;

let server: ScriptedServer;
const sockets: SignalingSocket[] = [];

beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close();
});

function open(options: Parameters<typeof recordedSocket>[1] = {}) {
  const recorded = recordedSocket(server, { backoff: FAST_BACKOFF, ...options });
  sockets.push(recorded.socket);
  return recorded;
}

/** What the server does with a socket whose token expired: tell it, then close it (DeleteConnection's 1000). */
const expireToken = (): void => server.closeAfter(TOKEN_EXPIRED);

describe('a socket closed for an expired token', () => {
  it('reconnects with a fresh token from the token source', async () => {
    let issued = 0;
    const { socket, opens, errors } = open({ token: async () => `token-${++issued}` });
    socket.connect();
    await until(() => socket.isOpen);
    expireToken();
    await until(() => opens.length === 2, 2_000, 'reconnect');
    expect(server.tokens).toEqual(['token-1', 'token-2']);
    expect(errors).toEqual([]);
  });

  it('stops with `unauthorized` when the token source has only the expired token', async () => {
    const { socket, errors, opens } = open({ token: 'token-1' });
    socket.connect();
    await until(() => socket.isOpen);
    expireToken();
    await until(() => errors.length === 1, 2_000, 'unauthorized');
    expect(errors[0]?.code).toBe(CallErrorCode.Unauthorized);
    expect(socket.state).toBe('closed');
    expect(opens).toEqual(['first']);
    expect(server.tokens).toEqual(['token-1']);
  });
});

describe('a call moved to another socket', () => {
  const movedElsewhere = (id: string) => JSON.stringify({ type: 'call_ended', ...envelope(id), reason: 'resumed_elsewhere' });

  it('passes `resumed_elsewhere` on: another device took the call over', async () => {
    const { socket, messages } = open();
    socket.connect();
    await until(() => socket.isOpen);
    const id = callId();
    server.socket.send(movedElsewhere(id));
    await until(() => messages.length === 1);
    expect(messages[0]).toMatchObject({ type: 'call_ended', call_id: id, reason: 'resumed_elsewhere' });
  });

  it('ignores `resumed_elsewhere` on the socket it is replacing: its own replacement resumed the call', async () => {
    const { socket, opens, messages } = open({ maxConnectionMs: 80, handoverMs: 300 });
    socket.connect();
    await until(() => opens.includes('rotated'), 1_000, 'rotation');
    const [retiring, replacement] = server.openSockets;
    const moved = callId();
    retiring?.send(movedElsewhere(moved));
    const marker = callId();
    // Sent after it on the same retiring socket, so once it is seen the first was handled.
    retiring?.send(JSON.stringify({ type: 'call_ended', ...envelope(marker), reason: 'hangup' }));
    await until(() => messages.some((message) => 'call_id' in message && message.call_id === marker));
    expect(messages.filter((message) => 'call_id' in message && message.call_id === moved)).toEqual([]);
    expect(replacement).toBeDefined();
  });
});
