/**
 * The call client's state handling against a scripted server on a real WebSocket: early
 * candidates, out-of-order answers, reconnect and resume, ring timeouts, glare, busy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallClient, CallErrorCode, type Call, type CallEnd } from '../../web/src/client';
import { FakePeerConnection, ScriptedServer, callId, envelope, fakeGetUserMedia, inSeconds, now, sleep, until, wsFactory } from './fakes';

let server: ScriptedServer;
let client: CallClient;

const TUTOR = { profile_id: 2, profile_type: 'tutor' } as const;
const ADA = { id: 2, type: 'tutor', name: 'Ada' };
const candidate = (port: number) => ({
  candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

function startClient(media = fakeGetUserMedia()) {
  client = new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: media.getUserMedia,
    socket: { backoff: { initialMs: 20, maxMs: 50, jitter: 0, random: Math.random } },
    call: { batcher: { flushDelayMs: 15 }, ringGraceMs: 50, resumeRetryMs: 20 },
  });
  client.connect();
  return client;
}

function ended(call: Call): Promise<CallEnd> {
  return new Promise((resolve) => call.on('ended', resolve));
}

/** Places a call and waits for the invitation frame. */
async function placeCall(type: 'voice' | 'video' = 'video') {
  const call = client.placeCall(TUTOR, type);
  await server.frame('call_invitation');
  return call;
}

/** Delivers an invitation from Ada and waits for the client to present it. */
async function ringFromAda(id = callId(), ringSeconds = 45): Promise<Call> {
  const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
  server.send({
    type: 'call_invitation',
    ...envelope(id, ADA),
    call_type: 'video',
    to_profile_id: 1,
    to_profile_type: 'student',
    offer: { type: 'offer', sdp: 'v=0 caller offer' },
    expires_at: inSeconds(ringSeconds),
  });
  return incoming;
}

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  server = await ScriptedServer.start();
  startClient();
  await until(() => client.socket.isOpen, 2_000, 'client connected');
});
afterEach(async () => {
  client.close();
  await server.close();
});

describe('outgoing calls', () => {
  it('holds local candidates until the server names the call, then sends them batched', async () => {
    const call = await placeCall();
    const invitation = await server.frame('call_invitation');
    expect(invitation).toMatchObject({ call_type: 'video', to_profile_id: 2, to_profile_type: 'tutor', offer: { type: 'offer' } });
    expect(call.state).toBe('calling');

    const pc = FakePeerConnection.last();
    pc.gather('candidate:1');
    pc.gather('candidate:2');
    pc.gather('candidate:3');
    await sleep(50);
    expect(server.framesOf('ice_candidate')).toEqual([]); // no call id yet

    const id = callId();
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 2,
      to_profile_type: 'tutor',
      devices: 2,
      expires_at: inSeconds(45),
      sent_at: now(),
    });
    await until(() => call.state === 'ringing');
    const batch = await server.frame('ice_candidate');
    expect(batch).toMatchObject({
      call_id: id,
      candidates: [{ candidate: 'candidate:1' }, { candidate: 'candidate:2' }, { candidate: 'candidate:3' }],
    });

    pc.gather('candidate:4');
    pc.endGathering();
    await until(() => server.framesOf('ice_candidate').length === 2);
    expect(server.framesOf('ice_candidate')[1]).toMatchObject({
      call_id: id,
      candidates: [{ candidate: 'candidate:4' }, { candidate: '' }],
    });

    server.send({ type: 'call_answer', ...envelope(id, ADA), answer: { type: 'answer', sdp: 'v=0 callee answer' } });
    await until(() => call.state === 'connecting');
    expect(call.peer.name).toBe('Ada');
    pc.becomes('connected');
    expect(call.state).toBe('connected');
    expect(call.connectedAt).toBeTypeOf('number');
  });

  it('takes an answer and candidates that overtake the ringing acknowledgement', async () => {
    const call = await placeCall();
    const pc = FakePeerConnection.last();
    const id = callId();
    server.send({ type: 'ice_candidate', ...envelope(id, ADA), candidates: [candidate(5000)] });
    server.send({ type: 'call_answer', ...envelope(id, ADA), answer: { type: 'answer', sdp: 'v=0 callee answer' } });
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 2,
      to_profile_type: 'tutor',
      devices: 1,
      expires_at: inSeconds(45),
      sent_at: now(),
    });
    await until(() => pc.addedCandidates.length === 1, 2_000, 'early candidate applied');
    expect(call.id).toBe(id);
    expect(call.state).toBe('connecting'); // the late ringing does not go back
    expect(pc.remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 callee answer' });
  });

  it.each([
    ['offline', 'offline'],
    ['busy', 'busy'],
    ['rejected', 'rejected'],
    ['timeout', 'no_answer'],
  ] as const)('ends with %s when declined %s', async (reason, expected) => {
    const call = await placeCall();
    const done = ended(call);
    server.send({ type: 'call_declined', ...envelope(callId(), ADA), reason });
    expect((await done).reason).toBe(expected);
    expect(FakePeerConnection.last().closed).toBe(true);
    expect(client.activeCall).toBeUndefined();
  });

  it('cancels before the call id is known, and repeats the cancel with the id when it arrives', async () => {
    const call = await placeCall();
    call.hangup();
    expect(call.end?.reason).toBe('cancelled');
    expect((await server.frame('call_ended')).call_id).toBeUndefined();

    const id = callId();
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 2,
      to_profile_type: 'tutor',
      devices: 1,
      expires_at: inSeconds(45),
      sent_at: now(),
    });
    await server.frame('call_ended', (frame) => frame.call_id === id);
    expect(call.state).toBe('ended');
  });

  it('stops ringing at expires_at even if the server says nothing', async () => {
    const call = await placeCall();
    const id = callId();
    const done = ended(call);
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 2,
      to_profile_type: 'tutor',
      devices: 1,
      expires_at: inSeconds(0.1),
      sent_at: now(),
    });
    expect((await done).reason).toBe('no_answer');
    await server.frame('call_ended', (frame) => frame.call_id === id && frame.reason === 'cancelled');
  });

  it('fails at once while offline, with not_connected', async () => {
    client.socket.close();
    const call = client.placeCall(TUTOR, 'voice');
    const end = await ended(call);
    expect(end).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.NotConnected } });
  });

  it('reports a server refusal of the invitation', async () => {
    const call = await placeCall();
    const done = ended(call);
    server.send({ type: 'error', code: 'cannot_call_self', message: 'A profile cannot call itself', request_type: 'call_invitation' });
    expect(await done).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.Refused, serverCode: 'cannot_call_self' } });
  });

  it('refuses a second call while one is going on', async () => {
    await placeCall();
    expect(() => client.placeCall({ profile_id: 3, profile_type: 'tutor' }, 'voice')).toThrowError(
      expect.objectContaining({ serverCode: 'already_in_call' }),
    );
  });
});

describe('incoming calls', () => {
  it('keeps candidates that arrive before their invitation and applies them after Accept', async () => {
    const id = callId();
    server.send({ type: 'ice_candidate', ...envelope(id, ADA), candidates: [candidate(6000), candidate(6001)] });
    await sleep(20);
    const call = await ringFromAda(id);
    expect(call).toMatchObject({ direction: 'incoming', type: 'video', state: 'ringing', id });
    expect(call.peer).toMatchObject({ name: 'Ada', profileType: 'tutor' });

    server.send({ type: 'ice_candidate', ...envelope(id, ADA), candidate: candidate(6002) });
    await sleep(20);
    await call.accept();
    const answer = await server.frame('call_answer');
    expect(answer).toMatchObject({ call_id: id, answer: { type: 'answer', sdp: 'v=0 answer' } });
    const pc = FakePeerConnection.last();
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual([candidate(6000), candidate(6001), candidate(6002)].map((c) => c.candidate));
    expect(call.state).toBe('connecting');
    pc.becomes('connected');
    expect(call.state).toBe('connected');
  });

  it('ignores an invitation that arrives after its own call_ended', async () => {
    const id = callId();
    let rang = false;
    client.on('incoming', () => (rang = true));
    server.send({ type: 'call_ended', ...envelope(id, ADA), reason: 'cancelled' });
    await sleep(20);
    server.send({
      type: 'call_invitation',
      ...envelope(id, ADA),
      call_type: 'voice',
      to_profile_id: 1,
      to_profile_type: 'student',
      offer: { type: 'offer', sdp: 'v=0' },
      expires_at: inSeconds(45),
    });
    await sleep(50);
    expect(rang).toBe(false);
  });

  it.each([
    ['answered_elsewhere', 'answered_elsewhere'],
    ['declined_elsewhere', 'declined_elsewhere'],
    ['cancelled', 'peer_cancelled'],
    ['timeout', 'missed'],
  ] as const)('stops ringing on call_ended %s', async (reason, expected) => {
    const call = await ringFromAda();
    const done = ended(call);
    server.send({ type: 'call_ended', ...envelope(call.id!, ADA), reason });
    expect((await done).reason).toBe(expected);
    expect(client.ringingCalls).toEqual([]);
  });

  it('stops ringing at expires_at locally (the server sweeper may be late)', async () => {
    const call = await ringFromAda(callId(), 0.1);
    expect((await ended(call)).reason).toBe('missed');
  });

  it('declines on every device with call_declined rejected', async () => {
    const call = await ringFromAda();
    call.decline();
    expect(await server.frame('call_declined')).toMatchObject({ call_id: call.id, reason: 'rejected' });
    expect(call.end?.reason).toBe('declined');
  });

  it('declines when the microphone is refused, and says why', async () => {
    client.close();
    startClient(fakeGetUserMedia({ failWith: 'NotAllowedError' }));
    await until(() => client.socket.isOpen);
    const call = await ringFromAda();
    const done = ended(call);
    await call.accept();
    expect(await done).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.PermissionDenied } });
    expect(await server.frame('call_declined')).toMatchObject({ call_id: call.id, reason: 'rejected' });
  });

  it('answers a second invitation with busy while in a call', async () => {
    const call = await ringFromAda();
    await call.accept();
    const other = callId();
    server.send({
      type: 'call_invitation',
      ...envelope(other, { id: 9, type: 'parent', name: 'Bo' }),
      call_type: 'voice',
      to_profile_id: 1,
      to_profile_type: 'student',
      offer: { type: 'offer', sdp: 'v=0' },
      expires_at: inSeconds(45),
    });
    expect(await server.frame('call_declined')).toMatchObject({ call_id: other, reason: 'busy' });
    expect(call.state).toBe('connecting');
  });

  it('gives way to the peer’s invitation when both call each other (glare)', async () => {
    const outgoing = await placeCall();
    const incoming = await ringFromAda();
    expect(outgoing.end?.reason).toBe('superseded');
    expect(incoming.state).toBe('ringing');
    // The server's busy decline of our own invitation changes nothing.
    server.send({ type: 'call_declined', ...envelope(callId(), ADA), reason: 'busy' });
    await sleep(30);
    expect(incoming.state).toBe('ringing');
  });
});

describe('reconnecting', () => {
  async function connectedCall(): Promise<Call> {
    const call = await ringFromAda();
    await call.accept();
    FakePeerConnection.last().becomes('connected');
    return call;
  }

  it('re-binds an answered call with call_resume on the new socket, before anything else', async () => {
    const call = await connectedCall();
    const states: string[] = [];
    client.on('connection', (state) => states.push(state));
    const reconnected = server.nextConnection();
    server.socket.terminate();
    const socket = await reconnected;
    const firstFrame = await new Promise<Record<string, unknown>>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    expect(firstFrame).toEqual({ type: 'call_resume', call_id: call.id });
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(call.state).toBe('connected'); // media never stopped
  });

  it('moves an answered call to the replacement socket before the 2-hour cap closes the old one', async () => {
    const call = await connectedCall();
    const replacement = server.nextConnection();
    const old = server.socket;
    client.socket.rotate();
    const socket = await replacement;
    const firstFrame = await new Promise<Record<string, unknown>>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    expect(firstFrame).toEqual({ type: 'call_resume', call_id: call.id });
    expect(old.readyState).toBe(old.OPEN); // still open during the handover
    expect(client.connectionState).toBe('connected');
  });

  it('shows the peer reconnecting until call_resumed', async () => {
    const call = await connectedCall();
    server.send({ type: 'peer_reconnecting', ...envelope(call.id!, ADA), grace_seconds: 60 });
    await until(() => call.peerReconnecting);
    server.send({ type: 'call_resumed', ...envelope(call.id!, ADA) });
    await until(() => !call.peerReconnecting);
  });

  /** Our socket drops and comes back; resolves with the presence question asked on the new one. */
  async function reconnectAndAwaitPresenceQuery(): Promise<Record<string, unknown>> {
    server.socket.terminate();
    await server.frame('call_resume');
    return server.frame('presence_query');
  }

  it('clears the peer’s reconnecting notice when they came back while our own socket was down', async () => {
    const call = await connectedCall();
    server.send({ type: 'peer_reconnecting', ...envelope(call.id!, ADA), grace_seconds: 60 });
    await until(() => call.peerReconnecting);
    // Ada's call_resumed would go to our dead socket: we never hear it, so we ask who is online.
    expect(await reconnectAndAwaitPresenceQuery()).toEqual({
      type: 'presence_query',
      profiles: [{ profile_id: 2, profile_type: 'tutor' }],
    });
    server.send({ type: 'presence', profiles: [{ profile_id: 2, profile_type: 'tutor', online: true }] });
    await until(() => !call.peerReconnecting, 2_000, 'the notice cleared');
    expect(call.state).toBe('connected');
  });

  it('shows the peer reconnecting when they dropped while our own socket was down, until they resume', async () => {
    const call = await connectedCall();
    await reconnectAndAwaitPresenceQuery();
    server.send({ type: 'presence', profiles: [{ profile_id: 2, profile_type: 'tutor', online: false }] });
    await until(() => call.peerReconnecting, 2_000, 'the peer shown away');
    server.send({ type: 'call_resumed', ...envelope(call.id!, ADA) });
    await until(() => !call.peerReconnecting, 2_000, 'the notice cleared');
  });

  it('ignores a presence answer that news from the peer overtook', async () => {
    const call = await connectedCall();
    server.send({ type: 'peer_reconnecting', ...envelope(call.id!, ADA), grace_seconds: 60 });
    await until(() => call.peerReconnecting);
    await reconnectAndAwaitPresenceQuery();
    server.send({ type: 'call_resumed', ...envelope(call.id!, ADA) });
    // Counted before Ada came back: stale.
    server.send({ type: 'presence', profiles: [{ profile_id: 2, profile_type: 'tutor', online: false }] });
    await sleep(50); // both handled, in the order sent
    expect(call.peerReconnecting).toBe(false);
  });

  /** Answers each `call_resume` (already sent or still to come) with `call_not_found`, `times` times. */
  async function refuseResumes(call: Call, times: number, message = 'gone'): Promise<void> {
    for (let refused = 0; refused < times; refused++) {
      await until(() => server.framesOf('call_resume').length > refused, 2_000, `call_resume #${refused + 1}`);
      server.send({ type: 'error', code: 'call_not_found', message, request_type: 'call_resume', call_id: call.id! });
    }
  }

  it('ends the call as disconnected when it ended while our connection was down', async () => {
    const call = await connectedCall();
    const done = ended(call);
    server.socket.terminate();
    await refuseResumes(call, 3); // a call that is over refuses every attempt
    expect((await done).reason).toBe('disconnected');
    expect(server.framesOf('call_resume')).toHaveLength(3);
  });

  it('asks again when a resume met another change of the call, and stays in it', async () => {
    const call = await connectedCall();
    server.socket.terminate();
    await refuseResumes(call, 1, 'The call changed while resuming; please retry');
    await until(() => server.framesOf('call_resume').length === 2, 2_000, 'the second call_resume');
    server.send({ type: 'call_resumed', ...envelope(call.id!, { id: 1, type: 'student', name: 'Me' }) });
    await sleep(100); // past the next retry, had it been armed
    expect(call.state).toBe('connected');
    expect(server.framesOf('call_resume')).toHaveLength(2);
  });

  it('ends an outgoing call that was ringing when the connection dropped, and cancels it from the new socket (a restarted server never had its $disconnect)', async () => {
    const call = await placeCall();
    const id = callId();
    server.send({
      type: 'call_ringing',
      call_id: id,
      conversation_id: null,
      to_profile_id: 2,
      to_profile_type: 'tutor',
      devices: 1,
      expires_at: inSeconds(45),
      sent_at: now(),
    });
    await until(() => call.state === 'ringing');
    const done = ended(call);
    server.socket.terminate();
    expect(await done).toMatchObject({ reason: 'failed', error: { code: CallErrorCode.SignalingLost } });
    expect(await server.frame('call_ended', (frame) => frame.call_id === id)).toMatchObject({ reason: 'cancelled' });
  });

  it('keeps an incoming call ringing across a reconnect, binds the new socket to it, and stops when told it was cancelled meanwhile', async () => {
    const call = await ringFromAda();
    server.socket.terminate();
    expect(await server.frame('call_resume')).toEqual({ type: 'call_resume', call_id: call.id, ringing: true });
    expect(call.state).toBe('ringing');
    server.send({ type: 'error', code: 'call_not_found', message: 'try again', request_type: 'call_resume', call_id: call.id! });
    await sleep(50);
    expect(call.state).toBe('ringing'); // a refused re-bind does not end a call that rings
    const done = ended(call);
    server.send({ type: 'call_ended', ...envelope(call.id!, ADA), reason: 'cancelled' });
    expect((await done).reason).toBe('peer_cancelled');
  });

  it('queues a hang-up made while offline and delivers it on reconnect', async () => {
    const call = await connectedCall();
    server.answerPings = false;
    const reconnected = server.nextConnection();
    server.socket.terminate();
    await until(() => client.connectionState === 'reconnecting');
    call.hangup();
    expect(call.end?.reason).toBe('hangup'); // at once, network or not
    await reconnected;
    await server.frame('call_ended', (frame) => frame.call_id === call.id);
  });
});

describe('queries', () => {
  it('asks presence and history, and rejects on a refusal', async () => {
    const presence = client.queryPresence([TUTOR]);
    await server.frame('presence_query');
    server.send({ type: 'presence', profiles: [{ ...TUTOR, online: true }] });
    expect(await presence).toEqual([{ ...TUTOR, online: true }]);

    const history = client.fetchHistory({ limit: 500 });
    expect(await server.frame('call_history')).toMatchObject({ limit: 100 });
    server.send({ type: 'error', code: 'rate_limited', message: 'slow down', request_type: 'call_history' });
    await expect(history).rejects.toMatchObject({ code: CallErrorCode.Refused, serverCode: 'rate_limited' });
  });

  it('uses the ICE servers the server offers for the next call', async () => {
    const ask = await server.frame('ice_servers');
    expect(ask).toEqual({ type: 'ice_servers' });
    server.send({ type: 'ice_servers', ice_servers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], ttl: 600 });
    await sleep(20);
    await placeCall('voice');
    expect(FakePeerConnection.last().configuration.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]);
  });

  it('waits for the ICE servers still being asked for before making a call’s peer connection', async () => {
    await server.frame('ice_servers');
    const call = client.placeCall(TUTOR, 'voice');
    await sleep(50);
    expect(FakePeerConnection.created).toHaveLength(0);
    server.send({ type: 'ice_servers', ice_servers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], ttl: 600 });
    await server.frame('call_invitation');
    expect(call.state).toBe('calling');
    expect(FakePeerConnection.last().configuration.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]);
  });
});
