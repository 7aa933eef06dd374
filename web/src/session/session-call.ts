/**
 * A member's side of a tutoring session's call, over the whiteboard API's own socket (PROTOCOL.md,
 * "Whiteboard session calls"): the call's state as the server tells it, joining, leaving and ending
 * it, the session's call history, and a peer connection per generation (the offerer of each new
 * generation offers afresh; the other side replaces its peer connection).
 *
 * A page that was in the call and comes back (a reload, a lost socket) joins the same call again by
 * itself: which call this tab is in is kept in sessionStorage.
 */
import type {
  SessionCallLog,
  SessionCallView,
  SessionClientMessageInput,
  SessionRole,
  SessionServerMessage,
  SessionServerMessageOf,
} from '../../../shared/session-protocol';
import type { BoardChannel } from '../board/board-channel';
import { IceServerSet } from '../client/ice-server-set';
import { acquireMedia, type GetDisplayMedia } from '../client/media';
import { QualityMonitor, VIDEO_RAMP_UP_MS } from '../client/quality-monitor';
import { PendingQueries } from '../client/requests';
import type { VideoSource } from '../client/video-sender';
import {
  CallError,
  CallErrorCode,
  Emitter,
  type CallType,
  type GetUserMedia,
  type MessageSocket,
  type PeerConnectionFactory,
} from '../client';
import { PeerLink, type PeerSignal } from './peer-link';
import { otherRole, sessionPhase, type SessionPhase } from './session-phase';

export type SessionSocket = MessageSocket<SessionServerMessage, SessionClientMessageInput>;

/** How long an `ice_servers` question may go unanswered before the set is asked again. */
const ICE_QUERY_TIMEOUT_MS = 10_000;

export interface SessionCallOptions {
  sessionId: string;
  grant: string;
  me: SessionRole;
  socket: SessionSocket;
  /** The configured ones (`config.json`), until the whiteboard API's `ice_servers` answers. */
  iceServers: RTCIceServer[];
  createPeerConnection?: PeerConnectionFactory;
  getUserMedia?: GetUserMedia;
  /** The screen picker (`navigator.mediaDevices.getDisplayMedia` by default, where the browser has one). */
  getDisplayMedia?: GetDisplayMedia;
  /** Where this tab remembers the call it is in (sessionStorage in the page). */
  memory?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export interface SessionCallEvents {
  /** The call's view or this page's part in it changed. */
  changed: undefined;
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  /** The whiteboard channel of a new generation's peer connection. */
  board: BoardChannel;
  history: { items: SessionCallLog[]; next: string | undefined };
  error: CallError;
}

export class SessionCall extends Emitter<SessionCallEvents> {
  private viewValue: SessionCallView | null | undefined;
  /** The call this page is in, or 'starting' while its first `session_join` has no answer yet. */
  private joined: string | 'starting' | undefined;
  /** A `session_join` went out on the socket open now (presence belongs to a socket: a new one joins again). */
  private joinedOnSocket = false;
  /** The first generation this page's latest join can make; views and signals of earlier ones are another socket's. */
  private minGeneration = 1;
  private media: MediaStream | undefined;
  private link: PeerLink | undefined;
  private mutedValue = false;
  private peerNameValue: string | undefined;
  private cameraOffValue = false;
  private readonly memoryKey: string;
  /** TURN credentials expire: asked for on this API before a join's peer connections, as a chat call does before its own. */
  private readonly ice: IceServerSet;
  private readonly queries = new PendingQueries(ICE_QUERY_TIMEOUT_MS);
  /** Samples this page's part of the call across its generations; its summary goes out as `session_quality` when the page leaves the call. */
  private quality: QualityMonitor | undefined;
  private linkConnectedAt: number | undefined;

  constructor(private readonly options: SessionCallOptions) {
    super();
    this.memoryKey = `callsignal.session-call.${options.sessionId}`;
    this.ice = new IceServerSet(options.iceServers, () =>
      this.queries.ask('ice_servers', () => options.socket.send({ type: 'ice_servers' }, { queue: false })),
    );
    this.joined = options.memory?.getItem(this.memoryKey) ?? undefined;
    options.socket.on('open', () => {
      this.joinedOnSocket = false;
      this.send({ type: 'session_state', ...this.vouched() });
    });
    options.socket.on('message', (message) => this.received(message));
  }

  get view(): SessionCallView | null | undefined {
    return this.viewValue;
  }

  get me(): SessionRole {
    return this.options.me;
  }

  /** Whether this page is in the open call now. */
  get inCall(): boolean {
    const view = this.viewValue;
    return view !== null && view !== undefined && view.status !== 'ended' && this.joined === view.call_id && view.members[this.me].present;
  }

  get phase(): SessionPhase {
    return sessionPhase(this.viewValue, this.me, this.inCall);
  }

  /** A join sent and not answered yet. */
  get joining(): boolean {
    return this.joined !== undefined && !this.inCall && this.viewValue?.status !== 'ended';
  }

  get localStream(): MediaStream | undefined {
    return this.media;
  }

  get remoteStream(): MediaStream | undefined {
    return this.link?.remoteStream;
  }

  get generation(): number | undefined {
    return this.link?.generation;
  }

  /** The other member's name, once their browser has signalled. */
  get peerName(): string | undefined {
    return this.peerNameValue;
  }

  get muted(): boolean {
    return this.mutedValue;
  }

  get cameraOff(): boolean {
    return this.cameraOffValue;
  }

  /** Starts the session's call, or joins the open one (the server decides which). */
  async join(callType: CallType = 'video'): Promise<void> {
    const type = this.viewValue && this.viewValue.status !== 'ended' ? this.viewValue.call_type : callType;
    await Promise.all([this.openMedia(type), this.ice.fresh()]);
    const open = this.viewValue && this.viewValue.status !== 'ended' ? this.viewValue : undefined;
    this.joined = open ? open.call_id : 'starting';
    this.joinedOnSocket = true;
    this.minGeneration = (open?.generation ?? 0) + 1;
    this.send({ type: 'session_join', ...this.vouched(), call_type: type });
    this.emit('changed', undefined);
  }

  /** This page leaves; the call stays open for the other member. */
  leave(): void {
    const callId = this.openCallId();
    if (callId) this.send({ type: 'session_leave', call_id: callId });
    this.hangUpHere();
  }

  /** Ends the call for both members. */
  end(): void {
    const callId = this.openCallId();
    if (callId) this.send({ type: 'session_end', call_id: callId });
    this.hangUpHere();
  }

  requestHistory(before?: string): void {
    this.send({ type: 'session_history', ...this.vouched(), ...(before ? { before } : {}) });
  }

  setMuted(muted: boolean): void {
    this.mutedValue = muted;
    for (const track of this.media?.getAudioTracks() ?? []) track.enabled = !muted;
    this.link?.setTrackEnabled('audio', !muted);
    this.emit('changed', undefined);
  }

  setCameraOff(off: boolean): void {
    this.cameraOffValue = off;
    for (const track of this.media?.getVideoTracks() ?? []) track.enabled = !off;
    this.link?.setTrackEnabled('video', !off);
    this.emit('changed', undefined);
  }

  /** What this page sends as video now (the screen while sharing). */
  get videoSource(): VideoSource {
    return this.link?.videoSource ?? (this.hasCamera() ? 'camera' : 'none');
  }

  get canShareScreen(): boolean {
    return this.displayMedia() !== undefined && this.link !== undefined;
  }

  /** Shares the screen instead of the camera with the other member (until this generation's peer connection is replaced). */
  async shareScreen(): Promise<void> {
    await this.link?.shareScreen();
  }

  async stopSharing(): Promise<void> {
    await this.link?.stopSharing();
  }

  hasCamera(): boolean {
    return (this.media?.getVideoTracks().length ?? 0) > 0;
  }

  close(): void {
    this.queries.rejectAll(new CallError(CallErrorCode.NotConnected, 'The session call is closed'));
    this.quality?.stop();
    this.closeLink();
    this.stopMedia();
    this.removeAllListeners();
  }

  // -----------------------------------------------------------------------------------------------

  private vouched(): { session_id: string; session_grant: string } {
    return { session_id: this.options.sessionId, session_grant: this.options.grant };
  }

  private send(message: SessionClientMessageInput): void {
    try {
      this.options.socket.send(message);
    } catch (error) {
      this.emit('error', error instanceof CallError ? error : new CallError(CallErrorCode.NotConnected, String(error)));
    }
  }

  private openCallId(): string | undefined {
    const view = this.viewValue;
    return view && view.status !== 'ended' ? view.call_id : undefined;
  }

  private received(message: SessionServerMessage): void {
    switch (message.type) {
      case 'session_call':
        if (message.session_id === this.options.sessionId) this.callChanged(message.call);
        return;
      case 'session_signal':
        if (message.session_id === this.options.sessionId) this.signalled(message);
        return;
      case 'session_history':
        if (message.session_id === this.options.sessionId) this.emit('history', { items: message.items, next: message.next });
        return;
      case 'ice_servers':
        this.queries.settle(message);
        return;
      case 'pong':
        return;
      case 'error':
        if (message.request_type === 'ice_servers') this.queries.settle(message);
        else this.refused(message);
        return;
    }
  }

  private callChanged(view: SessionCallView | null): void {
    this.viewValue = view;
    if (!view || view.status === 'ended') {
      // A call that ended (or is gone) while this page was in it, or starting one.
      if (this.joined !== undefined && this.joined !== 'starting') this.hangUpHere(false);
      this.emit('changed', undefined);
      return;
    }
    if (this.joined === 'starting' && view.members[this.me].present) this.joined = view.call_id;
    if (this.joined === view.call_id) {
      this.options.memory?.setItem(this.memoryKey, view.call_id);
      // Back after a reload or a lost socket: into the same call again, once per socket.
      if (!this.joinedOnSocket) void this.rejoin(view);
      else if (view.members[this.me].present) this.followGeneration(view);
    } else if (this.joined !== undefined && this.joined !== 'starting') {
      // The call this page was in is over and another one is open: not ours until joined.
      this.hangUpHere(false);
    }
    this.emit('changed', undefined);
  }

  private async rejoin(view: SessionCallView): Promise<void> {
    this.joinedOnSocket = true;
    this.minGeneration = view.generation + 1;
    try {
      await Promise.all([this.openMedia(view.call_type), this.ice.fresh()]);
    } catch (error) {
      this.emit('error', error instanceof CallError ? error : new CallError(CallErrorCode.PermissionDenied, String(error)));
      this.hangUpHere(false);
      return;
    }
    this.send({ type: 'session_join', ...this.vouched(), call_type: view.call_type });
  }

  /** Both members in the call on a generation this page has no peer connection for: a new one. */
  private followGeneration(view: SessionCallView): void {
    const other = view.members[otherRole(this.me)];
    if (!other.present || view.offerer === null || view.generation < this.minGeneration || !this.media) return;
    if (this.link && this.link.generation >= view.generation) return;
    const link = this.newLink(view.generation, view.call_type);
    if (view.offerer === this.me) link.offer();
  }

  private signalled(message: SessionServerMessageOf<'session_signal'>): void {
    const view = this.viewValue;
    if (!view || view.call_id !== message.call_id || this.joined !== message.call_id) return;
    // A replaced peer connection's, or one from before this page's latest join.
    if ((this.link && message.generation < this.link.generation) || message.generation < this.minGeneration || !this.media) return;
    if (message.from_name && message.from_name !== this.peerNameValue) {
      this.peerNameValue = message.from_name;
      this.emit('changed', undefined);
    }
    const signal: PeerSignal = {
      ...(message.description ? { description: message.description } : {}),
      ...(message.candidates ? { candidates: message.candidates } : {}),
    };
    // The offer of a generation whose `session_call` has not arrived yet: the messages travel apart.
    const link = this.link && this.link.generation === message.generation ? this.link : this.newLink(message.generation, view.call_type);
    link.receive(signal);
  }

  private newLink(generation: number, callType: CallType): PeerLink {
    this.closeLink();
    const media = this.media;
    if (!media) throw new Error('A peer connection needs the call’s devices open');
    const link = new PeerLink({
      generation,
      callType,
      iceServers: this.ice.servers,
      createPeerConnection: this.options.createPeerConnection ?? ((configuration) => new RTCPeerConnection(configuration)),
      media,
      ...(this.displayMedia() ? { getDisplayMedia: this.displayMedia() } : {}),
      polite: this.viewValue?.offerer !== this.me,
      send: (signal) => {
        const callId = this.openCallId();
        if (callId && this.link === link) this.send({ type: 'session_signal', call_id: callId, ...signal });
      },
    });
    link.on('board', (channel) => this.emit('board', channel));
    link.on('remoteStream', (stream) => this.emit('remoteStream', stream));
    link.on('connection', (state) => {
      if (this.link === link) this.followQuality(state);
      this.emit('changed', undefined);
    });
    link.on('videoSource', () => this.emit('changed', undefined));
    link.on('failed', (error) =>
      this.emit('error', new CallError(CallErrorCode.NegotiationFailed, error.message, undefined, { cause: error })),
    );
    this.link = link;
    this.linkConnectedAt = undefined;
    // A new peer connection's counters start from zero: the next reading starts from its first report.
    this.quality?.pause();
    // Asked now for the next generation's peer connection, which cannot wait for an answer (an offer may be waiting).
    void this.ice.refresh();
    link.setTrackEnabled('audio', !this.mutedValue);
    link.setTrackEnabled('video', !this.cameraOffValue);
    return link;
  }

  private displayMedia(): GetDisplayMedia | undefined {
    if (this.options.getDisplayMedia) return this.options.getDisplayMedia;
    const devices = globalThis.navigator?.mediaDevices;
    return typeof devices?.getDisplayMedia === 'function' ? (options) => devices.getDisplayMedia(options) : undefined;
  }

  private refused(message: SessionServerMessageOf<'error'>): void {
    if (message.request_type === 'session_join' && this.joined !== undefined && !this.inCall) {
      this.hangUpHere(false);
      this.emit('changed', undefined);
    }
    this.emit('error', new CallError(CallErrorCode.Refused, message.message, message.code));
  }

  private async openMedia(callType: CallType): Promise<void> {
    if (this.media) return;
    const getUserMedia = this.options.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
    const { stream, warning } = await acquireMedia(getUserMedia, callType);
    this.media = stream;
    this.setMuted(this.mutedValue);
    this.setCameraOff(this.cameraOffValue);
    this.emit('localStream', stream);
    if (warning) this.emit('error', warning);
  }

  private followQuality(state: RTCPeerConnectionState): void {
    if (state === 'connected') {
      this.linkConnectedAt ??= Date.now();
      this.quality ??= new QualityMonitor({
        getStats: async () => (await this.link?.getStats())?.values(),
        receivingVideo: () =>
          this.viewValue?.call_type === 'video' && Date.now() - (this.linkConnectedAt ?? Date.now()) >= VIDEO_RAMP_UP_MS,
        onSample: () => undefined,
      });
      this.quality.start();
    } else if (state === 'disconnected' || state === 'failed' || state === 'closed') {
      this.quality?.pause();
    }
  }

  /** The call's quality summary, once, as this page leaves it (what was sampled; nothing when nothing was). */
  private sendQuality(callId: string | 'starting' | undefined): void {
    const summary = this.quality?.stop();
    this.quality = undefined;
    if (summary && callId !== undefined && callId !== 'starting') this.send({ type: 'session_quality', call_id: callId, summary });
  }

  /** This page is out of the call: no peer connection, devices closed, nothing to rejoin. */
  private hangUpHere(announce = true): void {
    this.sendQuality(this.joined);
    this.joined = undefined;
    this.joinedOnSocket = false;
    this.options.memory?.removeItem(this.memoryKey);
    this.closeLink();
    this.stopMedia();
    if (announce) this.emit('changed', undefined);
  }

  private closeLink(): void {
    if (!this.link) return;
    this.link.close();
    this.link = undefined;
    this.emit('remoteStream', undefined);
  }

  private stopMedia(): void {
    if (!this.media) return;
    for (const track of this.media.getTracks()) track.stop();
    this.media = undefined;
    this.emit('localStream', undefined);
  }
}
