/**
 * A member's side of a session call, against a scripted whiteboard API on a real WebSocket and fake
 * peer connections: a page back after a reload joins the same call by itself, each generation gets a
 * new peer connection (offered by the generation's offerer), and what a page no longer needs is let go.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionCallView } from '../../shared/session-protocol';
import { SessionCall } from '../../web/src/session/session-call';
import { createSessionSocket } from '../../web/src/session/session-socket';
import { FakePeerConnection, FakeTrack, ScriptedServer, callId, until, wsFactory } from './fakes';

const SESSION = 'algebra-1';

/** Enough of a MediaStream for the session call: tracks by kind, and copies for each peer connection. */
class FakeMedia {
  constructor(readonly tracks: FakeTrack[]) {}
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((track) => track.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((track) => track.kind === 'video');
  }
  clone() {
    return new FakeMedia(this.tracks.map((track) => new FakeTrack(track.kind)));
  }
}
const opened: FakeMedia[] = [];
const getUserMedia = async () => {
  const media = new FakeMedia([new FakeTrack('audio'), new FakeTrack('video')]);
  opened.push(media);
  return media as unknown as MediaStream;
};

class Memory {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

let server: ScriptedServer;
let call: SessionCall | undefined;

beforeEach(async () => {
  FakePeerConnection.created.length = 0;
  opened.length = 0;
  server = await ScriptedServer.start();
});
afterEach(async () => {
  call?.close();
  await server.close();
});

function start(memory = new Memory()): SessionCall {
  const socket = createSessionSocket({ url: server.url, token: 'token', createWebSocket: wsFactory });
  call = new SessionCall({
    sessionId: SESSION,
    grant: 'grant',
    me: 'student',
    socket,
    iceServers: [],
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia,
    memory,
  });
  socket.connect();
  return call;
}

function view(id: string, changes: Partial<SessionCallView> & { tutor?: boolean; student?: boolean } = {}): SessionCallView {
  const { tutor = true, student = true, ...rest } = changes;
  return {
    call_id: id,
    session_id: SESSION,
    call_type: 'video',
    status: 'active',
    started_by: 'tutor',
    members: {
      tutor: { profile_type: 'tutor', profile_id: 42, present: tutor },
      student: { profile_type: 'student', profile_id: 456, present: student },
    },
    offerer: 'student',
    generation: 1,
    window_ends_at: new Date(Date.now() + 3_600_000).toISOString(),
    ...rest,
  };
}

const tell = (call: SessionCallView | null) =>
  server.socket.send(JSON.stringify({ type: 'session_call', session_id: SESSION, call, sent_at: new Date().toISOString() }));

function signal(id: string, generation: number, description: { type: 'offer' | 'answer'; sdp: string }) {
  server.socket.send(
    JSON.stringify({
      type: 'session_signal',
      call_id: id,
      session_id: SESSION,
      generation,
      from_role: 'tutor',
      from_profile_id: 42,
      from_profile_type: 'tutor',
      from_name: 'Ada',
      from_avatar: null,
      description,
      sent_at: new Date().toISOString(),
    }),
  );
}

describe('joining and rejoining', () => {
  it('asks for the session state on connecting and joins when told to, with the call type and grant', async () => {
    const session = start();
    await server.frame('session_state');
    tell(null);
    await until(() => session.phase === 'none');
    await session.join('video');
    expect(await server.frame('session_join')).toMatchObject({ session_id: SESSION, session_grant: 'grant', call_type: 'video' });
  });

  it('joins the same call again by itself after a reload, once, and is in it when the server says so', async () => {
    const memory = new Memory();
    const id = callId();
    memory.setItem(`callsignal.session-call.${SESSION}`, id);
    const session = start(memory);
    await server.frame('session_state');
    tell(view(id, { student: false, offerer: 'tutor' }));
    expect(await server.frame('session_join')).toMatchObject({ session_id: SESSION });
    tell(view(id, { student: false, offerer: 'tutor' }));
    await until(() => opened.length === 1);
    tell(view(id, { generation: 2, offerer: 'student' }));
    await until(() => session.phase === 'active');
    expect(server.framesOf('session_join')).toHaveLength(1);
  });

  it('does not rejoin a call it left, nor one that has ended', async () => {
    const memory = new Memory();
    const session = start(memory);
    await server.frame('session_state');
    const id = callId();
    tell(view(id, { student: false }));
    await until(() => session.phase === 'ringing');
    await session.join();
    tell(view(id));
    await until(() => session.inCall);
    session.leave();
    expect(await server.frame('session_leave')).toMatchObject({ call_id: id });
    expect(memory.items.size).toBe(0);
    expect(opened[0]?.tracks.every((track) => track.stopped)).toBe(true);
  });
});

describe('a peer connection per generation', () => {
  async function inCall(): Promise<{ session: SessionCall; id: string }> {
    const session = start();
    await server.frame('session_state');
    const id = callId();
    tell(view(id, { student: false }));
    await until(() => session.phase === 'ringing');
    await session.join();
    return { session, id };
  }

  it('offers on a new peer connection with the whiteboard channel when it is the offerer, and replaces it on the next generation', async () => {
    const { id } = await inCall();
    tell(view(id, { generation: 2, offerer: 'student' }));
    const first = await server.frame('session_signal');
    expect(first).toMatchObject({ call_id: id, description: { type: 'offer' } });
    const pc1 = FakePeerConnection.last();
    expect(pc1.dataChannels.map((channel) => [channel.label, channel.init.id]).sort()).toEqual([
      ['callsignal', 0],
      ['whiteboard', 1],
    ]);

    tell(view(id, { generation: 3, offerer: 'student' }));
    await until(() => FakePeerConnection.created.length === 2);
    expect(pc1.closed).toBe(true);
    await until(() => server.framesOf('session_signal').length === 2);
    // Each generation sends copies of the call's devices; the devices themselves stay open.
    expect(opened).toHaveLength(1);
    expect(opened[0]?.tracks.some((track) => track.stopped)).toBe(false);
  });

  it('asks the whiteboard API for ICE servers before joining, and gives the peer connection the TURN server it was sent', async () => {
    const session = start();
    await server.frame('session_state');
    const id = callId();
    tell(view(id, { student: false }));
    await until(() => session.phase === 'ringing');
    const joined = session.join();
    await server.frame('ice_servers');
    const turn = { urls: ['turn:127.0.0.1:3478'], username: '1900000000:student_456', credential: 'c2VjcmV0' };
    server.socket.send(JSON.stringify({ type: 'ice_servers', ice_servers: [turn], ttl: 3600 }));
    await joined;
    tell(view(id, { generation: 2, offerer: 'student' }));
    await server.frame('session_signal');
    expect(FakePeerConnection.last().configuration.iceServers).toEqual([turn]);
  });

  it("answers the other member's offer for a generation whose view has not come yet, and ignores a replaced generation's", async () => {
    const { id } = await inCall();
    signal(id, 2, { type: 'offer', sdp: 'v=0 tutor offer' });
    const answer = await server.frame('session_signal');
    expect(answer).toMatchObject({ call_id: id, description: { type: 'answer' } });
    expect(FakePeerConnection.last().remoteDescription?.sdp).toBe('v=0 tutor offer');

    signal(id, 3, { type: 'offer', sdp: 'v=0 newer offer' });
    await until(() => FakePeerConnection.created.length === 2);
    signal(id, 2, { type: 'offer', sdp: 'v=0 stale offer' });
    await until(() => server.framesOf('session_signal').length === 2);
    expect(FakePeerConnection.created).toHaveLength(2);
    expect(FakePeerConnection.last().remoteDescription?.sdp).toBe('v=0 newer offer');
  });

  it('lets go of the peer connection and the devices when the call ends', async () => {
    const { session, id } = await inCall();
    tell(view(id, { generation: 2, offerer: 'student' }));
    await server.frame('session_signal');
    tell(view(id, { status: 'ended', end_reason: 'ended_by_member', tutor: false, student: false }));
    await until(() => session.phase === 'ended');
    expect(FakePeerConnection.last().closed).toBe(true);
    expect(opened[0]?.tracks.every((track) => track.stopped)).toBe(true);
  });
});

describe('the call’s quality', () => {
  const recorded = (name: string): { first: Record<string, unknown>[]; second: Record<string, unknown>[] } =>
    JSON.parse(readFileSync(new URL(`./fixtures/chromium-stats-${name}.json`, import.meta.url), 'utf8')) as {
      first: Record<string, unknown>[];
      second: Record<string, unknown>[];
    };

  it('samples the connected peer connection and sends one session_quality summary as this page leaves the call', async () => {
    const session = start();
    await server.frame('session_state');
    const id = callId();
    tell(view(id, { student: false }));
    await until(() => session.phase === 'ringing');
    await session.join();
    tell(view(id, { generation: 2, offerer: 'student' }));
    await server.frame('session_signal');
    const pc = FakePeerConnection.last();
    const { first, second } = recorded('voice-call');
    pc.statsReports.push(first, second);
    let reads = 0;
    const getStats = pc.getStats.bind(pc);
    pc.getStats = () => {
      reads += 1;
      return getStats();
    };
    pc.becomes('connected');
    // The second report is read one sampling interval after the first; a reading needs both.
    await until(() => reads >= 2, 5_000, 'both stats reports read');
    await new Promise((resolve) => setTimeout(resolve, 0));
    session.leave();
    expect(await server.frame('session_quality')).toMatchObject({
      call_id: id,
      summary: { rating: 'good', relayed: false, local_candidate_type: 'host', samples: 1 },
    });
    expect(server.framesOf('session_quality')).toHaveLength(1);
  });
});
