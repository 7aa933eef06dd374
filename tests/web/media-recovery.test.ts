/**
 * A call's media path coming and going: an ICE restart when it is `disconnected` for a moment or
 * `failed`, the call kept up while it retries ("Reconnecting media…"), and ended when it does
 * not come back in time; and the later offers and answers of a call, which travel as
 * `call_renegotiate`. Against a scripted server on a real WebSocket, with fake peer connections.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallClient, CallErrorCode, type Call, type CallEnd } from '../../web/src/client';
import { FakePeerConnection, ScriptedServer, callId, envelope, fakeGetUserMedia, inSeconds, sleep, until, wsFactory } from './fakes';

let server: ScriptedServer;
let client: CallClient;
const ADA = { id: 2, type: 'tutor', name: 'Ada' };
const ME = { id: 1, type: 'student', name: 'Me' };
const ICE_RESTART_DELAY_MS = 40;
const MEDIA_RECOVERY_MS = 400;
const CALLEE_RESTART_WAIT_MS = 120;
const TUTOR = { profile_id: 2, profile_type: 'tutor' } as const;

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  server = await ScriptedServer.start();
  client = new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: fakeGetUserMedia().getUserMedia,
    socket: { backoff: { initialMs: 20, maxMs: 50, jitter: 0, random: Math.random } },
    call: {
      batcher: { flushDelayMs: 15 },
      resumeRetryMs: 20,
      iceRestartDelayMs: ICE_RESTART_DELAY_MS,
      mediaRecoveryMs: MEDIA_RECOVERY_MS,
      calleeRestartWaitMs: CALLEE_RESTART_WAIT_MS,
    },
  });
  client.connect();
  await until(() => client.socket.isOpen, 2_000, 'client connected');
});
afterEach(async () => {
  client.close();
  await server.close();
});

/** An incoming video call from Ada, accepted and connected. */
async function connectedCall(): Promise<{ call: Call; pc: FakePeerConnection; id: string }> {
  const id = callId();
  const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
  server.send({
    type: 'call_invitation',
    ...envelope(id, ADA),
    call_type: 'video',
    to_profile_id: 1,
    to_profile_type: 'student',
    offer: { type: 'offer', sdp: 'v=0 caller offer' },
    expires_at: inSeconds(45),
  });
  const call = await incoming;
  await call.accept();
  await server.frame('call_answer');
  const pc = FakePeerConnection.last();
  pc.becomes('connected');
  return { call, pc, id };
}

/** An outgoing video call to Ada, answered and connected. */
async function connectedOutgoingCall(): Promise<{ call: Call; pc: FakePeerConnection; id: string }> {
  const id = callId();
  const call = client.placeCall(TUTOR, 'video');
  await server.frame('call_invitation');
  server.send({ type: 'call_answer', ...envelope(id, ADA), answer: { type: 'answer', sdp: 'v=0 callee answer' } });
  await until(() => call.state === 'connecting', 1_000, 'answered');
  const pc = FakePeerConnection.last();
  pc.becomes('connected');
  return { call, pc, id };
}

function ended(call: Call): Promise<CallEnd> {
  return new Promise((resolve) => call.on('ended', resolve));
}

describe('an interrupted media path', () => {
  it('the caller restarts ICE at once when the path fails, keeps the call up while reconnecting media, and clears the notice once connected', async () => {
    const { call, pc } = await connectedOutgoingCall();
    const interruptions: boolean[] = [];
    call.on('mediaInterrupted', (interrupted) => interruptions.push(interrupted));

    pc.becomes('failed');
    expect(pc.iceRestarts).toBe(1);
    expect(call.mediaInterrupted).toBe(true);
    expect(call.state).toBe('connected');

    pc.becomes('connected');
    expect(call.mediaInterrupted).toBe(false);
    expect(interruptions).toEqual([true, false]);
    await sleep(MEDIA_RECOVERY_MS + 100);
    expect(call.state).toBe('connected');
  });

  it('the caller waits a moment before restarting a disconnected path, which often recovers by itself', async () => {
    const { call, pc } = await connectedOutgoingCall();
    pc.becomes('disconnected');
    expect(call.mediaInterrupted).toBe(true);
    pc.becomes('connected');
    await sleep(ICE_RESTART_DELAY_MS * 3);
    expect(pc.iceRestarts).toBe(0);

    pc.becomes('disconnected');
    await until(() => pc.iceRestarts === 1, 1_000, 'ICE restarted');
    expect(call.state).toBe('connected');
  });

  it('the callee leaves the restart to the caller when the caller’s restart offer comes', async () => {
    const { call, pc, id } = await connectedCall();
    pc.becomes('failed');
    expect(pc.iceRestarts).toBe(0);
    server.send({ type: 'call_renegotiate', ...envelope(id, ADA), description: { type: 'offer', sdp: 'v=0 caller restart' } });
    await server.frame('call_renegotiate');
    await sleep(CALLEE_RESTART_WAIT_MS * 2);
    expect(pc.iceRestarts).toBe(0);
    expect(call.mediaInterrupted).toBe(true);
    pc.becomes('connected');
    expect(call.mediaInterrupted).toBe(false);
  });

  it('the callee restarts ICE itself when no restart of the caller’s came (the caller cannot reach the server)', async () => {
    const { call, pc } = await connectedCall();
    pc.becomes('failed');
    await until(() => pc.iceRestarts === 1, 1_000, 'ICE restarted by the callee');
    expect(call.state).toBe('connected');
  });

  it('ends the call when the media does not come back in time, and tells the peer', async () => {
    const { call, pc, id } = await connectedCall();
    const end = ended(call);
    pc.becomes('failed');
    const { reason, error } = await end;
    expect(reason).toBe('failed');
    expect(error?.code).toBe(CallErrorCode.ConnectionFailed);
    expect(await server.frame('call_ended')).toMatchObject({ call_id: id, reason: 'hangup' });
  });
});

describe('renegotiating the call', () => {
  it('sends the browser’s later offer as call_renegotiate, and applies the peer’s answer', async () => {
    const { pc, id } = await connectedCall();
    pc.needsNegotiation();
    expect(await server.frame('call_renegotiate')).toEqual({
      type: 'call_renegotiate',
      call_id: id,
      description: { type: 'offer', sdp: 'v=0 renegotiated offer' },
    });
    server.send({ type: 'call_renegotiate', ...envelope(id, ADA), description: { type: 'answer', sdp: 'v=0 peer answer' } });
    await until(() => pc.signalingState === 'stable', 1_000, 'answer applied');
    expect(pc.remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 peer answer' });
  });

  it('answers the peer’s offer (an ICE restart from the other side) with call_renegotiate', async () => {
    const { pc, id } = await connectedCall();
    server.send({ type: 'call_renegotiate', ...envelope(id, ADA), description: { type: 'offer', sdp: 'v=0 peer restart' } });
    expect(await server.frame('call_renegotiate')).toEqual({
      type: 'call_renegotiate',
      call_id: id,
      description: { type: 'answer', sdp: 'v=0 renegotiated answer' },
    });
    expect(pc.remoteDescription).toEqual({ type: 'offer', sdp: 'v=0 peer restart' });
  });

  it('applies candidates of a restart that overtook its offer once the offer arrives', async () => {
    const { pc, id } = await connectedCall();
    pc.remoteDescription = { type: 'offer', sdp: 'v=0\r\na=ice-ufrag:old1\r\n' };
    const restarted = { candidate: 'candidate:9 1 udp 1 127.0.0.1 9000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'new2' };
    // The fake refuses candidates before any remote description, so make it refuse this one as a browser would.
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = async (candidate) => {
      if (!pc.remoteDescription?.sdp?.includes(`a=ice-ufrag:${candidate.usernameFragment}\r`))
        throw new Error('OperationError: unknown ufrag');
      return add(candidate);
    };
    server.send({ type: 'ice_candidate', ...envelope(id, ADA), candidate: restarted });
    await sleep(50);
    expect(pc.addedCandidates).toEqual([]);

    server.send({ type: 'call_renegotiate', ...envelope(id, ADA), description: { type: 'offer', sdp: 'v=0\r\na=ice-ufrag:new2\r\n' } });
    await until(() => pc.addedCandidates.length === 1, 1_000, 'the early candidate applied');
    expect(pc.addedCandidates[0]).toMatchObject({ usernameFragment: 'new2' });
  });

  it('sends a pending offer again when the call is re-bound, after it was refused before the re-bind', async () => {
    const { pc, id } = await connectedCall();
    pc.needsNegotiation();
    await server.frame('call_renegotiate');
    server.send({ type: 'error', code: 'forbidden', message: 'bound elsewhere', request_type: 'call_renegotiate', call_id: id });
    await until(() => server.framesOf('call_renegotiate').length === 2, 1_000, 'offer sent again after the refusal');
    server.send({ type: 'call_resumed', ...envelope(id, ME) });
    await until(() => server.framesOf('call_renegotiate').length === 3, 1_000, 'offer sent again on call_resumed');
    for (const frame of server.framesOf('call_renegotiate'))
      expect(frame.description).toEqual({ type: 'offer', sdp: 'v=0 renegotiated offer' });
  });
});
