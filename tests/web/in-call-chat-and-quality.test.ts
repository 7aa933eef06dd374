/**
 * What a call says to the peer over its data channel when someone chats, what it keeps of the
 * chat (for the call only), and the quality summary it sends the server as it ends. Against a
 * scripted server and a fake peer connection whose data channel and stats the test plays.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHAT_MESSAGE_CHARS } from '../../shared/limits';
import { CallClient, type Call, type CallTimings, type ChatEntry } from '../../web/src/client';
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

const recorded = (name: string): { first: Record<string, unknown>[]; second: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(new URL(`./fixtures/chromium-stats-${name}.json`, import.meta.url), 'utf8')) as {
    first: Record<string, unknown>[];
    second: Record<string, unknown>[];
  };

/** An answered incoming call from Ada (voice by default), with its data channel (not open yet). */
async function answeredCall(
  type: 'voice' | 'video' = 'voice',
): Promise<{ call: Call; channel: FakeDataChannel; pc: FakePeerConnection; id: string }> {
  const id = callId();
  const incoming = new Promise<Call>((resolve) => client.on('incoming', resolve));
  server.send({
    type: 'call_invitation',
    ...envelope(id, { id: 2, type: 'tutor', name: 'Ada' }),
    call_type: type,
    to_profile_id: 1,
    to_profile_type: 'student',
    offer: { type: 'offer', sdp: 'v=0 caller offer' },
    expires_at: inSeconds(45),
  });
  const call = await incoming;
  await call.accept();
  await server.frame('call_answer');
  const pc = FakePeerConnection.last();
  const channel = pc.dataChannels[0];
  if (!channel) throw new Error('the call made no data channel');
  return { call, channel, pc, id };
}

const chatSent = (channel: FakeDataChannel) =>
  channel.sent.map((data) => JSON.parse(data) as Record<string, unknown>).filter((message) => message.type === 'chat');
const peerChat = (id: string, text: string) => JSON.stringify({ v: 1, type: 'chat', id, text, sent_at: new Date().toISOString() });
const texts = (chat: readonly ChatEntry[]) => chat.map(({ from, text }) => `${from}: ${text}`);

async function startClient(timings: Partial<CallTimings> = {}): Promise<void> {
  client = new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: fakeGetUserMedia().getUserMedia,
    call: { batcher: { flushDelayMs: 15 }, qualitySampleMs: 20, ...timings },
  });
  client.connect();
  await until(() => client.socket.isOpen, 2_000, 'client connected');
}

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  server = await ScriptedServer.start();
  await startClient();
});
afterEach(async () => {
  client.close();
  await server.close();
});

describe('in-call chat', () => {
  it('cannot be sent before the channel to the peer opens, and says when it can', async () => {
    const { call, channel } = await answeredCall();
    const availability: boolean[] = [];
    call.on('chatAvailable', (available) => availability.push(available));
    expect(call.chatAvailable).toBe(false);
    expect(call.sendChat('hello?')).toBeUndefined();
    channel.opens();
    expect(availability).toEqual([true]);
    expect(call.sendChat('hello!')).toMatchObject({ from: 'me', text: 'hello!' });
    expect(chatSent(channel).map((message) => message.text)).toEqual(['hello!']);
  });

  it('goes to the peer as a chat message, comes back from it, and keeps both in the order they happened', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    const heard: ChatEntry[] = [];
    call.on('chat', (entry) => heard.push(entry));

    call.sendChat('  Can you hear me?  ');
    channel.receives(peerChat('p-1', 'Yes, loud and clear'));
    call.sendChat('Great');
    const [sent] = chatSent(channel);
    expect(sent).toMatchObject({ v: 1, type: 'chat', text: 'Can you hear me?' });
    expect(typeof sent?.id).toBe('string');
    expect(texts(call.chat)).toEqual(['me: Can you hear me?', 'peer: Yes, loud and clear', 'me: Great']);
    expect(texts(heard)).toEqual(texts(call.chat));
  });

  it('drops a repeated message, and ignores what is not a chat message of this version', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    channel.receives(peerChat('p-1', 'once'));
    channel.receives(peerChat('p-1', 'once'));
    channel.receives(JSON.stringify({ v: 2, type: 'chat', id: 'p-2', text: 'from the future', sent_at: new Date().toISOString() }));
    channel.receives(JSON.stringify({ v: 1, type: 'chat', id: 'p-3', text: '   ', sent_at: new Date().toISOString() }));
    channel.receives(peerChat('p-4', 'x'.repeat(MAX_CHAT_MESSAGE_CHARS + 1)));
    expect(texts(call.chat)).toEqual(['peer: once']);
  });

  it('sends no empty message and none longer than the limit', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    expect(call.sendChat('   ')).toBeUndefined();
    expect(call.sendChat('x'.repeat(MAX_CHAT_MESSAGE_CHARS + 1))).toBeUndefined();
    expect(call.sendChat('x'.repeat(MAX_CHAT_MESSAGE_CHARS))).toBeDefined();
    expect(chatSent(channel)).toHaveLength(1);
  });

  it('is forgotten when the call ends, and nothing more is taken in', async () => {
    const { call, channel } = await answeredCall();
    channel.opens();
    call.sendChat('bye');
    call.hangup();
    expect(call.chat).toEqual([]);
    expect(call.chatAvailable).toBe(false);
    channel.receives(peerChat('p-9', 'too late'));
    expect(call.chat).toEqual([]);
    expect(call.sendChat('after the end')).toBeUndefined();
  });
});

describe('call quality', () => {
  it('reads the connected call’s stats into live samples, and sends one summary as the call ends', async () => {
    const { call, pc, id } = await answeredCall();
    const { first, second } = recorded('voice-call');
    pc.statsReports.push(first, second);
    const ratings: string[] = [];
    call.on('quality', (sample) => ratings.push(sample.rating));
    pc.becomes('connected');
    await until(() => call.quality !== undefined, 2_000, 'a quality sample');
    expect(call.quality).toMatchObject({ rating: 'good', localCandidateType: 'host', reading: { roundTripMs: 1, kbpsReceived: 25.3 } });

    call.hangup();
    const sent = await server.frame('call_quality');
    expect(sent).toMatchObject({
      call_id: id,
      summary: { rating: 'good', relayed: false, local_candidate_type: 'host', remote_candidate_type: 'host', samples: 1 },
    });
    // The same report again is no new reading: one sample, however long the call lasted.
    expect(ratings).toEqual(['good']);
    client.socket.send({ type: 'ping', ts: 'after the end' });
    await server.frame('ping');
    expect(server.framesOf('call_quality')).toHaveLength(1);
  });

  it('a video call is not rated on the video arriving before its bitrate has had time to ramp up', async () => {
    // Not ramped up yet: for this client, not within 10 minutes.
    client.close();
    await startClient({ videoRampUpMs: 600_000 });
    // A voice call's audio-only stats in a video call: what a starved video stream looks like.
    const starved = recorded('voice-call');
    const early = await answeredCall('video');
    early.pc.statsReports.push(starved.first, starved.second);
    early.pc.becomes('connected');
    await until(() => early.call.quality !== undefined, 2_000, 'a quality sample');
    expect(early.call.quality).toMatchObject({ rating: 'good', reading: { kbpsReceived: 25.3, receivingVideo: false } });
    early.call.hangup();
  });

  it('a starved video stream makes a ramped-up video call poor, but not while the peer’s camera is off', async () => {
    client.close();
    await startClient({ videoRampUpMs: 0 });
    const starved = recorded('voice-call');
    const { call, pc, channel } = await answeredCall('video');
    pc.statsReports.push(starved.first, starved.second);
    pc.becomes('connected');
    await until(() => call.quality !== undefined, 2_000, 'a quality sample');
    expect(call.quality).toMatchObject({ rating: 'poor', reading: { receivingVideo: true } });

    channel.opens();
    channel.receives(JSON.stringify({ v: 1, type: 'media_state', microphone: 'on', camera: 'off' }));
    pc.statsReports.push(starved.first, starved.second);
    // The older report again, then the newer one: the next reading, taken with her camera off.
    await until(() => call.quality?.reading.receivingVideo === false, 2_000, 'a reading with the camera off');
    expect(call.quality?.rating).toBe('good');
    call.hangup();
  });

  it('a call whose media never connected reports no quality', async () => {
    const { call } = await answeredCall();
    call.hangup();
    await server.frame('call_ended');
    client.socket.send({ type: 'ping', ts: 'after the end' });
    await server.frame('ping');
    expect(server.framesOf('call_quality')).toEqual([]);
  });
});
