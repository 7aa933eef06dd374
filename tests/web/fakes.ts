/**
 * Stand-ins for the browser APIs Node does not have (RTCPeerConnection, getUserMedia), and a
 * scripted signaling server on a real WebSocket (127.0.0.1, ephemeral port).
 */
import { WebSocket, WebSocketServer } from 'ws';
import type { ServerMessage } from '../../shared/protocol';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
import {
  CallClient,
  SignalingSocket,
  type CallClientOptions,
  type CallError,
  type ConnectionState,
  type OpenReason,
  type WebSocketLike,
} from '../../web/src/client';

// -------------------------------------------------------------------------------------------------
// Media
// -------------------------------------------------------------------------------------------------

export class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.stopped = true;
  }
}

export class FakeStream {
  constructor(readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
}

/** A getUserMedia that hands out fake tracks, or rejects with a DOMException-like error by name. */
export function fakeGetUserMedia(options: { failWith?: string; noCamera?: boolean } = {}) {
  const requests: MediaStreamConstraints[] = [];
  const getUserMedia = async (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    requests.push(constraints);
    if (options.failWith) throw Object.assign(new Error(options.failWith), { name: options.failWith });
    if (constraints.video && options.noCamera) throw Object.assign(new Error('no camera'), { name: 'NotFoundError' });
    const tracks = [new FakeTrack('audio'), ...(constraints.video ? [new FakeTrack('video')] : [])];
    return new FakeStream(tracks) as unknown as MediaStream;
  };
  return { getUserMedia, requests };
}

// -------------------------------------------------------------------------------------------------
// RTCPeerConnection
// -------------------------------------------------------------------------------------------------

/** The call's data channel to the peer, as a test plays the browser's part (open, messages). */
export class FakeDataChannel {
  readyState: RTCDataChannelState = 'connecting';
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  readonly sent: string[] = [];
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit,
  ) {}
  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError: the channel is not open');
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  // What the browser would do:
  opens(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
  receives(data: unknown): void {
    this.onmessage?.({ data });
  }
}

interface FakeIceEvent {
  candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null } | null;
}

/** Records what the negotiator does and lets a test play the browser's part (candidates, state). */
export class FakePeerConnection {
  static created: FakePeerConnection[] = [];
  /**
   * Whether a new connection's first offer or answer ends gathering at once with nothing found
   * (so a half-trickling negotiator sends it without waiting); tests of gathering turn it off.
   */
  static completesFirstGathering = true;
  private gatheredOnce = false;
  onicecandidate: ((event: FakeIceEvent) => void) | null = null;
  ontrack: ((event: { track: FakeTrack; streams: FakeStream[] }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  onnegotiationneeded: (() => void) | null = null;
  /** `restartIce()` calls: what asks for new ICE credentials. */
  iceRestarts = 0;
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  readonly senders: { track: FakeTrack | null }[] = [];
  readonly transceivers: { receiver: { track: { kind: string } }; direction: string }[] = [];
  readonly dataChannels: FakeDataChannel[] = [];
  closed = false;
  /** Delays setRemoteDescription, to let candidates race it. */
  remoteDescriptionDelayMs = 0;

  constructor(readonly configuration: RTCConfiguration) {
    FakePeerConnection.created.push(this);
  }

  static factory = (configuration: RTCConfiguration): RTCPeerConnection =>
    new FakePeerConnection(configuration) as unknown as RTCPeerConnection;

  static last(): FakePeerConnection {
    const pc = FakePeerConnection.created.at(-1);
    if (!pc) throw new Error('no peer connection was created');
    return pc;
  }

  addTrack(track: FakeTrack): { track: FakeTrack } {
    const sender = { track };
    this.senders.push(sender);
    this.transceivers.push({ receiver: { track: { kind: track.kind } }, direction: 'sendrecv' });
    return sender;
  }
  createDataChannel(label: string, init: RTCDataChannelInit): FakeDataChannel {
    const channel = new FakeDataChannel(label, init);
    this.dataChannels.push(channel);
    return channel;
  }
  addTransceiver(kind: string, init: { direction: string }): void {
    this.transceivers.push({ receiver: { track: { kind } }, direction: init.direction });
  }
  getTransceivers() {
    return this.transceivers;
  }
  getSenders() {
    return this.senders;
  }
  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: `v=0 offer ${this.senders.map((s) => s.track?.kind).join(',')}` };
  }
  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote offer');
    return { type: 'answer', sdp: 'v=0 answer' };
  }
  async setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    // Without a description (perfect negotiation) the browser makes the offer or answer the state calls for.
    const answering = this.signalingState === 'have-remote-offer';
    this.localDescription = description ?? {
      type: answering ? 'answer' : 'offer',
      sdp: `v=0 renegotiated ${answering ? 'answer' : 'offer'}`,
    };
    this.signalingState = this.localDescription.type === 'offer' ? 'have-local-offer' : 'stable';
    if (!this.gatheredOnce && FakePeerConnection.completesFirstGathering) setTimeout(() => this.endGathering(), 0);
    this.gatheredOnce = true;
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.remoteDescriptionDelayMs > 0) await sleep(this.remoteDescriptionDelayMs);
    if (description.sdp === 'broken') throw new Error('OperationError: bad sdp');
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
  }
  restartIce(): void {
    this.iceRestarts++;
  }
  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    // Like a browser: a candidate before the remote description is an error.
    if (!this.remoteDescription) throw new Error('InvalidStateError: The remote description was null');
    this.addedCandidates.push(candidate);
  }
  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }
  /** What `getStats` reports: one report per call, the last one again and again; none is an empty report. */
  readonly statsReports: Record<string, unknown>[][] = [];
  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    const report = this.statsReports.length > 1 ? this.statsReports.shift() : this.statsReports[0];
    return new Map((report ?? []).map((record, index) => [String(record.id ?? index), record]));
  }

  // What the browser would do:
  gather(candidate: string): void {
    // As a browser does: the local description lists what was gathered so far (without the ufrag).
    if (this.localDescription?.sdp) {
      const line = `a=${candidate.replace(/ ufrag \S+/, '')}`;
      this.localDescription = { ...this.localDescription, sdp: `${this.localDescription.sdp}\r\n${line}` };
    }
    this.onicecandidate?.({ candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
  }
  endGathering(): void {
    this.onicecandidate?.({ candidate: null });
  }
  /** The browser found a change to negotiate (a track added, an ICE restart asked for). */
  needsNegotiation(): void {
    this.onnegotiationneeded?.();
  }
  becomes(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
  receiveTrack(kind: 'audio' | 'video'): void {
    const track = new FakeTrack(kind);
    this.ontrack?.({ track, streams: [new FakeStream([track])] });
  }
}

// -------------------------------------------------------------------------------------------------
// A scripted signaling server
// -------------------------------------------------------------------------------------------------

/** A real WebSocket server that records frames and lets a test answer them. */
export class ScriptedServer {
  readonly frames: Record<string, unknown>[] = [];
  readonly sockets: WebSocket[] = [];
  readonly tokens: string[] = [];
  /** Answer pings with pongs (turn off to simulate a dead socket). */
  answerPings = true;
  private waiters: { match: (frame: Record<string, unknown>) => boolean; resolve: (frame: Record<string, unknown>) => void }[] = [];
  private connectionWaiters: ((socket: WebSocket) => void)[] = [];

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {
    server.on('connection', (socket, request) => {
      this.tokens.push(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get(TOKEN_QUERY_PARAMETER) ?? '');
      this.sockets.push(socket);
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        this.frames.push(frame);
        if (frame.type === 'ping' && this.answerPings) {
          socket.send(JSON.stringify({ type: 'pong', ts: frame.ts, sent_at: new Date().toISOString() }));
        }
        const at = this.waiters.findIndex((waiter) => waiter.match(frame));
        if (at >= 0) this.waiters.splice(at, 1)[0]?.resolve(frame);
      });
      this.connectionWaiters.shift()?.(socket);
    });
  }

  static async start(): Promise<ScriptedServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('unexpected address');
    return new ScriptedServer(server, `ws://127.0.0.1:${address.port}/`);
  }

  get openSockets(): WebSocket[] {
    return this.sockets.filter((socket) => socket.readyState === WebSocket.OPEN);
  }

  /** The latest open socket. */
  get socket(): WebSocket {
    const socket = this.openSockets.at(-1);
    if (!socket) throw new Error('no client socket is open');
    return socket;
  }

  nextConnection(): Promise<WebSocket> {
    return new Promise((resolve) => this.connectionWaiters.push(resolve));
  }

  /** The first frame (already received or still to come) matching `type` and `where`. */
  frame(
    type: string,
    where: (frame: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 2_000,
  ): Promise<Record<string, unknown>> {
    const match = (frame: Record<string, unknown>) => frame.type === type && where(frame);
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      setTimeout(
        () => reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(', ')}`)),
        timeoutMs,
      );
    });
  }

  framesOf(type: string): Record<string, unknown>[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  send(message: ServerMessage, socket: WebSocket = this.socket): void {
    socket.send(JSON.stringify(message));
  }

  /** Tells the latest socket `message`, then closes it as the server's DeleteConnection does (1000). */
  closeAfter(message: ServerMessage): void {
    const socket = this.socket;
    this.send(message, socket);
    socket.close(1000, 'Connection Closed Normally');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const wsFactory = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds. */
export async function until(condition: () => boolean, timeoutMs = 2_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** A signaling socket of `server`'s (not connected yet), and what it reported, in order. */
export function recordedSocket(server: ScriptedServer, options: Partial<ConstructorParameters<typeof SignalingSocket>[0]> = {}) {
  const socket = new SignalingSocket({ url: server.url, token: 'token-1', createWebSocket: wsFactory, ...options });
  const opens: OpenReason[] = [];
  const errors: CallError[] = [];
  const states: ConnectionState[] = [];
  const messages: ServerMessage[] = [];
  socket.on('open', ({ reason }) => opens.push(reason));
  socket.on('error', (error) => errors.push(error));
  socket.on('state', (state) => states.push(state));
  socket.on('message', (message) => messages.push(message));
  return { socket, opens, errors, states, messages };
}

/** A call client of `server`'s, with fake media and peer connections; `options` add to or override those. */
export function fakeClient(server: ScriptedServer, options: Partial<CallClientOptions> = {}): CallClient {
  return new CallClient({
    websocketUrl: server.url,
    token: 'token',
    createWebSocket: wsFactory,
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: fakeGetUserMedia().getUserMedia,
    ...options,
  });
}

/** `fakeClient`, connected. */
export async function connectedClient(server: ScriptedServer, options: Partial<CallClientOptions> = {}): Promise<CallClient> {
  const client = fakeClient(server, options);
  client.connect();
  await until(() => client.socket.isOpen, 2_000, 'client connected');
  return client;
}

// -------------------------------------------------------------------------------------------------
// Server messages
// -------------------------------------------------------------------------------------------------

let idCounter = 0;
/** A fresh, valid ULID-shaped call id. */
export function callId(): string {
  idCounter++;
  return `01JCA${String(idCounter).padStart(21, '0')}`;
}

export const now = () => new Date().toISOString();
export const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

export function envelope(
  id: string,
  from: { id: number | string; type: string; name?: string | null } = { id: 2, type: 'tutor', name: 'Ada' },
) {
  return {
    call_id: id,
    conversation_id: null,
    from_profile_id: from.id,
    from_profile_type: from.type,
    from_name: from.name ?? null,
    from_avatar: null,
    sent_at: now(),
  };
}
