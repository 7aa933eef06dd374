/**
 * The peer's microphone and camera: what a call tells the other side over its data channel, and
 * what it makes of what the other side tells it. Against a scripted server and a fake peer
 * connection whose data channel the test opens and feeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallClient, type Call, type PeerMediaState } from '../../web/src/client';
import { PEER_CHANNEL } from '../../shared/peer-protocol';
import {
  FakePeerConnection,
  ScriptedServer,
  callId,
  envelope,
  fakeGetUserMedia,
  inSeconds,
  until,
  wsFactory,
  type FakeDataChannel,
} from './fakes';

let server: ScriptedServer;
let client: CallClient;

function startClient(media = fakeGetUserMedia()) {
  client = new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: media.getUserMedia,
    call: { batcher: { flushDelayMs: 15 } },
  });
  client.connect();
}

/** An answered incoming call from Ada, of `type`, with its (not yet open) data channel. */
async function answeredCall(type: 'voice' | 'video' = 'video'): Promise<{ call: Call; channel: FakeDataChannel }> {
  const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
  server.send({
    type: 'call_invitation',
    ...envelope(callId(), { id: 2, type: 'tutor', name: 'Ada' }),
    call_type: type,
    to_profile_id: 1,
    to_profile_type: 'student',
    offer: { type: 'offer', sdp: 'v=0 caller offer' },
    expires_at: inSeconds(45),
  });
  const call = await incoming;
  await call.accept();
  await server.frame('call_answer');
  const channel = FakePeerConnection.last().dataChannels[0];
  if (!channel) throw new Error('the call made no data channel');
  return { call, channel };
}

const sentStates = (channel: FakeDataChannel) => channel.sent.map((data) => JSON.parse(data) as Record<string, unknown>);

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

describe('the peer’s media state over the data channel', () => {
  it('uses one negotiated channel with the fixed id, made before the answer, so nothing more is negotiated', async () => {
    const { channel } = await answeredCall();
    expect(FakePeerConnection.last().dataChannels).toHaveLength(1);
    expect(channel.label).toBe(PEER_CHANNEL.label);
    expect(channel.init).toMatchObject({ negotiated: true, id: PEER_CHANNEL.id });
  });

  it('tells the peer its state as soon as the channel opens, including a mute made before that', async () => {
    const { call, channel } = await answeredCall();
    call.setMuted(true);
    expect(channel.sent).toEqual([]); // not open yet: nothing lost, it goes out on open
    channel.opens();
    expect(sentStates(channel)).toEqual([{ v: 1, type: 'media_state', microphone: 'off', camera: 'on' }]);
  });

  it('tells every change: mute, unmute, camera off and on', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    call.setMuted(true);
    call.setCameraEnabled(false);
    call.setMuted(false);
    call.setCameraEnabled(true);
    expect(sentStates(channel).map(({ microphone, camera }) => `${String(microphone)}/${String(camera)}`)).toEqual([
      'on/on',
      'off/on',
      'off/off',
      'on/off',
      'on/on',
    ]);
  });

  it('says a voice call has no camera to turn on', async () => {
    const { channel } = await answeredCall('voice');
    channel.opens();
    expect(sentStates(channel)).toEqual([{ v: 1, type: 'media_state', microphone: 'on', camera: 'none' }]);
  });

  it('shows what the peer says of itself, once per change', async () => {
    const { call, channel } = await answeredCall();
    const heard: PeerMediaState[] = [];
    call.on('peerMedia', (state) => heard.push(state));
    expect(call.peerMedia).toBeUndefined(); // unknown until the peer says

    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'off', camera: 'on' }));
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'off', camera: 'on' }));
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'off', camera: 'off' }));
    expect(call.peerMedia).toEqual({ microphone: 'off', camera: 'off' });
    expect(heard).toEqual([
      { microphone: 'off', camera: 'on' },
      { microphone: 'off', camera: 'off' },
    ]);
  });

  it('ignores what it cannot understand: other versions and types, bad fields, non-JSON and binary data', async () => {
    const { call, channel } = await answeredCall();
    channel.receives(JSON.stringify({ v: 2, type: 'media_state', microphone: 'off', camera: 'off' }));
    channel.receives(JSON.stringify({ v: 1, type: 'chat', text: 'hi' }));
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'loud', camera: 'off' }));
    channel.receives('not json');
    channel.receives(new ArrayBuffer(4));
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'off', camera: 'on', padding: 'x'.repeat(17_000) }));
    expect(call.peerMedia).toBeUndefined();
    // Fields it does not know yet are no reason to drop a message it does.
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'off', camera: 'on', reason: 'later field' }));
    expect(call.peerMedia).toEqual({ microphone: 'off', camera: 'on' });
  });

  it('closes the channel with the call, and says nothing more after it', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    call.hangup();
    expect(channel.readyState).toBe('closed');
    call.setMuted(true);
    expect(channel.sent).toHaveLength(1);
  });
});
