/** The signaling socket against a real WebSocket server: queueing, reconnect, liveness, rotation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallErrorCode, SignalingSocket, type ConnectionState, type OpenReason } from '../../web/src/client';
import type { CallError } from '../../web/src/client';
import { ScriptedServer, sleep, until, wsFactory } from './fakes';

const FAST_BACKOFF = { initialMs: 20, maxMs: 100, jitter: 0, random: Math.random };

let server: ScriptedServer;
const sockets: SignalingSocket[] = [];

beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close();
});

function open(options: Partial<ConstructorParameters<typeof SignalingSocket>[0]> = {}) {
  const socket = new SignalingSocket({ url: server.url, token: 'token-1', createWebSocket: wsFactory, backoff: FAST_BACKOFF, ...options });
  const states: ConnectionState[] = [];
  const opens: OpenReason[] = [];
  const errors: CallError[] = [];
  socket.on('state', (state) => states.push(state));
  socket.on('open', ({ reason }) => opens.push(reason));
  socket.on('error', (error) => errors.push(error));
  sockets.push(socket);
  return { socket, states, opens, errors };
}

describe('SignalingSocket', () => {
  it('queues messages while closed and sends them in order once open', async () => {
    const { socket, opens } = open();
    socket.send({ type: 'presence_query', profiles: [{ profile_id: 1, profile_type: 'tutor' }] });
    socket.send({ type: 'call_history', limit: 5 });
    expect(socket.queued).toBe(2);
    socket.connect();
    await until(() => server.frames.length === 2);
    expect(server.frames.map((frame) => frame.type)).toEqual(['presence_query', 'call_history']);
    expect(opens).toEqual(['first']);
    expect(socket.queued).toBe(0);
  });

  it('lets `open` listeners send before the queue is flushed (call_resume goes first)', async () => {
    const { socket } = open();
    socket.on('open', () => socket.send({ type: 'call_resume', call_id: '01JCA000000000000000000099' }));
    socket.send({ type: 'call_history' });
    socket.connect();
    await until(() => server.frames.length === 2);
    expect(server.frames.map((frame) => frame.type)).toEqual(['call_resume', 'call_history']);
  });

  it('refuses to queue what must not be delivered late', () => {
    const { socket } = open();
    expect(() => socket.send({ type: 'ice_servers' }, { queue: false })).toThrowError(
      expect.objectContaining({ code: CallErrorCode.NotConnected }),
    );
  });

  it('refuses a message over the 32 KB frame limit', async () => {
    const { socket } = open();
    socket.connect();
    await until(() => socket.isOpen);
    const offer = { type: 'offer' as const, sdp: 'a'.repeat(33 * 1024) };
    expect(() =>
      socket.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 1, to_profile_type: 'tutor', offer }),
    ).toThrowError(expect.objectContaining({ code: CallErrorCode.MessageTooLarge }));
  });

  it('reconnects with backoff when the server drops it, and says so', async () => {
    const { socket, states, opens } = open();
    socket.connect();
    await until(() => socket.isOpen);
    server.socket.terminate();
    await until(() => states.includes('reconnecting'));
    socket.send({ type: 'call_history' }); // queued during the outage
    await until(() => opens.length === 2, 2_000, 'reconnect');
    await until(() => server.framesOf('call_history').length === 1);
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    expect(opens).toEqual(['first', 'reconnected']);
  });

  it('keeps retrying while the server is unreachable, then connects', async () => {
    const url = server.url;
    await server.close();
    const { socket, states } = open({ url });
    socket.connect();
    await sleep(150); // several attempts fail
    expect(states).not.toContain('connected');
    expect(socket.state).toBe('connecting');
    socket.close();
  });

  it('asks a token function for a fresh token on every attempt', async () => {
    let issued = 0;
    const { socket, opens } = open({ token: async () => `token-${++issued}` });
    socket.connect();
    await until(() => socket.isOpen);
    server.socket.terminate();
    await until(() => opens.length === 2);
    expect(server.tokens).toEqual(['token-1', 'token-2']);
  });

  it('pings, and treats a ping without pong as a dead socket', async () => {
    const { socket, opens } = open({ pingIntervalMs: 30, pongTimeoutMs: 40 });
    socket.connect();
    await until(() => server.framesOf('ping').length >= 2, 1_000, 'pings');
    expect(opens).toEqual(['first']); // answered pings keep it
    server.answerPings = false;
    await until(() => opens.length === 2, 1_000, 'reconnect after missing pong');
    expect(opens).toEqual(['first', 'reconnected']);
  });

  it('sends no ping while frames flow both ways, and pings once the server falls silent', async () => {
    // The interval is far above the frames' spacing, so even a stalled machine keeps within it.
    const { socket } = open({ pingIntervalMs: 1_000, pongTimeoutMs: 2_000 });
    socket.connect();
    await until(() => socket.isOpen);
    const serverSide = server.sockets.at(-1)!;
    for (let exchange = 0; exchange < 8; exchange++) {
      socket.send({ type: 'call_history' });
      serverSide.send(JSON.stringify({ type: 'call_history', calls: [], more: false }));
      await sleep(20);
    }
    expect(server.framesOf('call_history')).toHaveLength(8);
    expect(server.framesOf('ping')).toHaveLength(0);
    await until(() => server.framesOf('ping').length === 1, 3_000, 'a ping after the silence');
  });

  it('pings while it keeps sending into a server that says nothing back', async () => {
    const { socket } = open({ pingIntervalMs: 300, pongTimeoutMs: 2_000 });
    socket.connect();
    await until(() => socket.isOpen);
    const sending = setInterval(() => socket.send({ type: 'call_history' }), 50);
    try {
      await until(() => server.framesOf('ping').length >= 1, 3_000, 'a ping although the client talks');
    } finally {
      clearInterval(sending);
    }
  });

  it('replaces itself before the connection cap, opening the new socket before closing the old', async () => {
    const { socket, opens, states } = open({ maxConnectionMs: 80, handoverMs: 50 });
    socket.connect();
    await until(() => opens.includes('rotated'), 1_000, 'rotation');
    // Both are open during the handover, so nothing is lost in between.
    expect(server.openSockets.length).toBe(2);
    await until(() => server.openSockets.length === 1, 1_000, 'old socket closed');
    expect(states).toEqual(['connected']); // never shown as reconnecting
    socket.send({ type: 'call_history' });
    await until(() => server.framesOf('call_history').length === 1);
  });

  it('defers the replacement while asked to (a call is ringing)', async () => {
    let ringing = true;
    const { socket, opens } = open({ maxConnectionMs: 30, deferRotation: () => ringing });
    socket.connect();
    await sleep(120);
    expect(opens).toEqual(['first']);
    ringing = false;
    socket.rotate();
    await until(() => opens.includes('rotated'));
  });

  it('stops with `unauthorized` instead of retrying an expired token forever', async () => {
    const claims = Buffer.from(JSON.stringify({ profile_id: 1, profile_type: 'tutor', name: 'A', exp: 1_000 })).toString('base64url');
    const { socket, errors, states } = open({ token: `h.${claims}.s` });
    socket.connect();
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe(CallErrorCode.Unauthorized);
    expect(states).toEqual(['closed']);
    expect(server.sockets.length).toBe(0);
  });

  it('closes for good', async () => {
    const { socket, states } = open();
    socket.connect();
    await until(() => socket.isOpen);
    socket.close();
    await sleep(100);
    expect(states).toEqual(['connected', 'closed']);
    expect(server.openSockets.length).toBe(0);
    expect(() => socket.send({ type: 'call_history' })).toThrow();
  });
});
