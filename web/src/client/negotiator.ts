/**
 * One call's media session: opens the microphone/camera, owns the RTCPeerConnection and its data
 * channel to the peer, creates or answers the offer, reports local ICE candidates, and applies
 * remote ones. No order of signaling messages is guaranteed, so remote candidates that arrive
 * before the remote description are buffered and applied right after it (and those of an ICE
 * restart that overtook its offer, right after that offer).
 *
 * After the first offer and answer, every change (an ICE restart, a screen shared, a camera added
 * to a voice call) is negotiated by perfect negotiation (`perfect-negotiation.ts`), in
 * `renegotiate` descriptions the call sends as `call_renegotiate`.
 */
import type { PeerMessage } from '../../../shared/peer-protocol';
import type { IceCandidate } from '../../../shared/protocol';
import { END_OF_CANDIDATES } from './candidate-batcher';
import type { CallType } from './call-types';
import { Emitter } from './emitter';
import { CallError, CallErrorCode } from './errors';
import { candidatesToTrickle, GatheringWindow, HALF_TRICKLE_WINDOW_MS } from './gathering-window';
import { acquireCamera, acquireMedia, acquireScreen, type GetDisplayMedia, type GetUserMedia } from './media';
import { PeerChannel } from './peer-channel';
import { PerfectNegotiation, type Description } from './perfect-negotiation';
import { VideoSender, type VideoSource } from './video-sender';

export type PeerConnectionFactory = (configuration: RTCConfiguration) => RTCPeerConnection;

export interface SessionDescription<T extends 'offer' | 'answer'> {
  type: T;
  sdp: string;
}

export interface NegotiatorOptions {
  callType: CallType;
  iceServers: RTCIceServer[];
  createPeerConnection: PeerConnectionFactory;
  getUserMedia: GetUserMedia;
  /** The screen picker (`navigator.mediaDevices.getDisplayMedia`); without one, sharing fails. */
  getDisplayMedia?: GetDisplayMedia;
  /** The side that yields when both renegotiate at once: the callee. */
  polite?: boolean;
  /**
   * How long the first offer or answer waits for candidates to carry in its SDP (half-trickle, see
   * `gathering-window.ts`); 0 sends it at once and trickles every candidate.
   */
  halfTrickleWindowMs?: number;
}

export interface NegotiatorEvents {
  localStream: MediaStream;
  remoteStream: MediaStream;
  /** A local candidate, or `END_OF_CANDIDATES` once gathering is complete. */
  candidate: IceCandidate;
  connection: RTCPeerConnectionState;
  /** Something the call survives, such as a video call continuing without a camera. */
  warning: CallError;
  /** The data channel to the peer opened. */
  peerChannelOpen: undefined;
  /** A message from the peer over the data channel. */
  peerMessage: PeerMessage;
  /** An offer or answer of a later negotiation, for the peer (`call_renegotiate`). */
  renegotiate: Description;
  /** What our video sender sends now: the camera, the screen, or nothing. */
  videoSource: VideoSource;
}

/** Remote candidates kept for a description still to come (an ICE restart's), at most. */
const MAX_FUTURE_CANDIDATES = 200;

export class Negotiator extends Emitter<NegotiatorEvents> {
  private peerConnection: RTCPeerConnection | undefined;
  private peerChannel: PeerChannel | undefined;
  private local: MediaStream | undefined;
  private remote: MediaStream | undefined;
  private readonly earlyCandidates: IceCandidate[] = [];
  /** Candidates whose ICE ufrag the remote description does not have yet (an ICE restart's, ahead of its offer). */
  private readonly futureCandidates: IceCandidate[] = [];
  private negotiation: PerfectNegotiation | undefined;
  private remoteOffers = 0;
  private video: VideoSender | undefined;
  private remoteDescriptionSet = false;
  private closed = false;
  /** Open while the first description waits for candidates: they are held, not reported. */
  private gatheringWindow: GatheringWindow | undefined;
  /**
   * After a description that carried candidates but went before gathering completed: the end
   * marker is reported only if a candidate trickled since. Alone it would be a billed message that
   * changes nothing a browser does with the candidates it has.
   */
  private markerOnlyAfterTrickle = false;
  private trickledSinceDescription = false;

  constructor(private readonly options: NegotiatorOptions) {
    super();
  }

  get localStream(): MediaStream | undefined {
    return this.local;
  }

  get remoteStream(): MediaStream | undefined {
    return this.remote;
  }

  /** Remote candidates waiting for the remote description. */
  get bufferedCandidates(): number {
    return this.earlyCandidates.length;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.peerConnection?.connectionState ?? 'new';
  }

  /** Later offers of the peer's applied so far (an ICE restart of the peer's is one). */
  get remoteOffersApplied(): number {
    return this.remoteOffers;
  }

  get canShareScreen(): boolean {
    return this.options.getDisplayMedia !== undefined;
  }

  /** What we send as video: our camera, our screen, or nothing. */
  get videoSource(): VideoSource {
    return this.video?.source ?? (this.hasLocalTrack('video') ? 'camera' : 'none');
  }

  /** The caller's side: media first, then an offer with our tracks (and a video slot to receive into). */
  async createOffer(): Promise<SessionDescription<'offer'>> {
    await this.openMedia();
    const pc = this.connection();
    this.addLocalTracks(pc);
    if (this.options.callType === 'video' && !pc.getTransceivers().some((t) => t.receiver.track.kind === 'video')) {
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    return this.step('create the offer', async () => {
      const window = this.openGatheringWindow();
      await pc.setLocalDescription(await pc.createOffer());
      return { type: 'offer', sdp: await this.sdpWithCandidates(pc, window) };
    });
  }

  /** The callee's side: the remote offer and the media open in parallel (that is the Accept latency). */
  async acceptOffer(offer: SessionDescription<'offer'>): Promise<SessionDescription<'answer'>> {
    const pc = this.connection();
    await Promise.all([this.openMedia(), this.applyRemote(pc, offer)]);
    this.assertOpen();
    this.addLocalTracks(pc);
    const answer = await this.step('create the answer', async () => {
      const window = this.openGatheringWindow();
      await pc.setLocalDescription(await pc.createAnswer());
      return { type: 'answer', sdp: await this.sdpWithCandidates(pc, window) } as const;
    });
    this.negotiation?.start();
    return answer;
  }

  /** The caller's side: the callee's answer. */
  async applyAnswer(answer: SessionDescription<'answer'>): Promise<void> {
    await this.applyRemote(this.connection(), answer);
    this.negotiation?.start();
  }

  /** The peer's `call_renegotiate`: an offer is answered (`renegotiate`), an answer applied. */
  receiveRenegotiation(description: Description): void {
    if (!this.closed) this.negotiation?.receive(description);
  }

  /** Asks for new ICE credentials: the offer that carries them goes out as `renegotiate`. */
  restartIce(): void {
    if (this.closed || !this.remoteDescriptionSet) return;
    this.peerConnection?.restartIce();
  }

  /** Our offer again, if the peer has not answered it (its socket was away when it went out). */
  resendPendingOffer(): void {
    this.negotiation?.resendPendingOffer();
  }

  /** Sends the screen instead of the camera (or, in a voice call, as a new video); the browser's own stop ends it too. */
  async shareScreen(): Promise<void> {
    const getDisplayMedia = this.options.getDisplayMedia;
    if (!getDisplayMedia) throw new CallError(CallErrorCode.NoDevice, 'This browser cannot share its screen');
    const video = this.videoSender();
    if (video.source === 'screen') return;
    const track = await acquireScreen(getDisplayMedia);
    if (this.closed) {
      track.stop();
      this.assertOpen();
    }
    track.addEventListener('ended', () => void this.stopSharing());
    await this.step('share the screen', () => video.send('screen', track));
    this.emit('videoSource', video.source);
  }

  /** Back to the camera (or to no video, in a voice call without one). */
  async stopSharing(): Promise<void> {
    const video = this.video;
    if (this.closed || video?.source !== 'screen') return;
    await this.step('stop sharing the screen', () => video.send('camera', this.localVideoTrack()));
    this.emit('videoSource', video.source);
  }

  /** A voice call turns video: opens the camera and sends it (a new video for the peer, so renegotiated). */
  async addCamera(): Promise<void> {
    if (this.hasLocalTrack('video')) return;
    const track = await acquireCamera(this.options.getUserMedia);
    const stream = this.local;
    if (this.closed || !stream) {
      track.stop();
      this.assertOpen();
      return;
    }
    stream.addTrack(track);
    this.emit('localStream', stream);
    const video = this.videoSender();
    if (video.source !== 'screen') {
      await this.step('send the camera', () => video.send('camera', track));
      this.emit('videoSource', video.source);
    }
  }

  /** Applies remote candidates now, or keeps them until the remote description is set. */
  addRemoteCandidates(candidates: readonly IceCandidate[]): void {
    if (this.closed) return;
    if (!this.remoteDescriptionSet || !this.peerConnection) {
      this.earlyCandidates.push(...candidates);
      return;
    }
    for (const candidate of candidates) void this.addRemoteCandidate(this.peerConnection, candidate);
  }

  setTrackEnabled(kind: 'audio' | 'video', enabled: boolean): void {
    for (const track of this.local?.getTracks() ?? []) {
      if (track.kind === kind) track.enabled = enabled;
    }
  }

  hasLocalTrack(kind: 'audio' | 'video'): boolean {
    return this.local?.getTracks().some((track) => track.kind === kind) ?? false;
  }

  /**
   * A device switch without renegotiation: `track` takes the place of the local track of its kind
   * (`RTCRtpSender.replaceTrack`), keeps its enabled state (muted, camera off), and the old one stops.
   */
  async replaceLocalTrack(track: MediaStreamTrack): Promise<void> {
    const stream = this.local;
    const old = stream?.getTracks().find((candidate) => candidate.kind === track.kind);
    if (this.closed || !stream || !old) {
      track.stop();
      throw new CallError(CallErrorCode.NegotiationFailed, this.closed ? 'The call is over' : `This call sends no ${track.kind}`);
    }
    track.enabled = old.enabled;
    // No sender yet (before the offer): the swap in the stream is enough, the offer adds the new track.
    await this.peerConnection
      ?.getSenders()
      .find((sender) => sender.track === old)
      ?.replaceTrack(track);
    if (this.closed) {
      track.stop();
      throw new CallError(CallErrorCode.NegotiationFailed, 'The call is over');
    }
    stream.removeTrack(old);
    stream.addTrack(track);
    old.stop();
    this.emit('localStream', stream);
  }

  /** Sends to the peer over the data channel; false while it is not open (see `peerChannelOpen`). */
  sendToPeer(message: PeerMessage): boolean {
    return this.peerChannel?.send(message) ?? false;
  }

  /** The peer connection's stats (call quality); undefined before it exists and once closed. */
  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.closed ? undefined : this.peerConnection?.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gatheringWindow?.close();
    this.gatheringWindow = undefined;
    this.earlyCandidates.length = 0;
    this.futureCandidates.length = 0;
    this.negotiation?.close();
    this.video?.stopScreen();
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.peerChannel?.close();
    const pc = this.peerConnection;
    if (pc) {
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------------------------------------

  private connection(): RTCPeerConnection {
    this.assertOpen();
    if (this.peerConnection) return this.peerConnection;
    const pc = this.options.createPeerConnection({ iceServers: this.options.iceServers, bundlePolicy: 'max-bundle' });
    pc.onicecandidate = (event) => {
      if (event.candidate === null) {
        this.localCandidate(END_OF_CANDIDATES);
      } else if (event.candidate.candidate !== '') {
        const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = event.candidate;
        this.localCandidate({ candidate, sdpMid, sdpMLineIndex, usernameFragment });
      }
    };
    pc.ontrack = (event) => {
      const stream = event.streams[0] ?? this.remote ?? new MediaStream();
      if (!stream.getTracks().includes(event.track)) stream.addTrack(event.track);
      this.remote = stream;
      this.emit('remoteStream', stream);
    };
    pc.onconnectionstatechange = () => this.emit('connection', pc.connectionState);
    // Before the offer or answer is made, so that it is part of it (negotiated, fixed id: no renegotiation).
    const channel = new PeerChannel(pc);
    channel.on('open', () => this.emit('peerChannelOpen', undefined));
    channel.on('message', (message) => this.emit('peerMessage', message));
    this.peerChannel = channel;
    this.negotiation = new PerfectNegotiation(pc, {
      polite: this.options.polite ?? false,
      send: (description) => this.emit('renegotiate', description),
      applied: (description) => {
        if (description.type === 'offer') this.remoteOffers++;
        this.retryFutureCandidates(pc);
      },
      // A refused renegotiation leaves the call as it was; the next change (or ICE restart) tries again.
      failed: () => undefined,
    });
    this.peerConnection = pc;
    return pc;
  }

  private async openMedia(): Promise<void> {
    if (this.local) return;
    const { stream, warning } = await acquireMedia(this.options.getUserMedia, this.options.callType);
    if (this.closed) {
      // The call ended while the permission prompt was open: release the devices at once.
      for (const track of stream.getTracks()) track.stop();
      this.assertOpen();
    }
    this.local = stream;
    this.emit('localStream', stream);
    if (warning) this.emit('warning', warning);
  }

  private addLocalTracks(pc: RTCPeerConnection): void {
    const stream = this.local;
    if (!stream) return;
    const sending = new Set(pc.getSenders().map((sender) => sender.track));
    for (const track of stream.getTracks()) {
      if (!sending.has(track)) pc.addTrack(track, stream);
    }
  }

  private async applyRemote(pc: RTCPeerConnection, description: SessionDescription<'offer' | 'answer'>): Promise<void> {
    await this.step(`apply the remote ${description.type}`, () => pc.setRemoteDescription(description));
    this.remoteDescriptionSet = true;
    const early = this.earlyCandidates.splice(0);
    for (const candidate of early) await this.addRemoteCandidate(pc, candidate);
  }

  private async addRemoteCandidate(pc: RTCPeerConnection, candidate: IceCandidate): Promise<void> {
    if (this.closed) return;
    try {
      await pc.addIceCandidate(candidate);
    } catch {
      // One unusable candidate (another address family, a stale generation, or the end marker in a
      // browser that does not take it) must not fail the call; ICE uses the others. One of an ICE
      // restart whose offer has not come yet is kept for it.
      if (this.isFromFutureDescription(pc, candidate) && this.futureCandidates.length < MAX_FUTURE_CANDIDATES) {
        this.futureCandidates.push(candidate);
      }
    }
  }

  private isFromFutureDescription(pc: RTCPeerConnection, candidate: IceCandidate): boolean {
    const ufrag = candidate.usernameFragment;
    return typeof ufrag === 'string' && ufrag !== '' && !(pc.remoteDescription?.sdp ?? '').includes(`a=ice-ufrag:${ufrag}\r`);
  }

  private retryFutureCandidates(pc: RTCPeerConnection): void {
    for (const candidate of this.futureCandidates.splice(0)) void this.addRemoteCandidate(pc, candidate);
  }

  private localVideoTrack(): MediaStreamTrack | null {
    return this.local?.getVideoTracks()[0] ?? null;
  }

  private videoSender(): VideoSender {
    const pc = this.connection();
    this.video ??= new VideoSender(pc, this.localVideoTrack() ? 'camera' : 'none', () => this.local);
    return this.video;
  }

  private async step<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await run();
    } catch (error) {
      this.assertOpen();
      throw new CallError(CallErrorCode.NegotiationFailed, `Could not ${what}`, undefined, { cause: error });
    }
  }

  private localCandidate(candidate: IceCandidate): void {
    if (this.gatheringWindow) {
      this.gatheringWindow.hold(candidate);
      return;
    }
    if (candidate.candidate !== '') {
      this.trickledSinceDescription = true;
    } else if (this.markerOnlyAfterTrickle) {
      this.markerOnlyAfterTrickle = false;
      if (!this.trickledSinceDescription) return;
    }
    this.emit('candidate', candidate);
  }

  /** Only the first offer or answer waits (later ones, an ICE restart's, go at once through perfect negotiation). */
  private openGatheringWindow(): GatheringWindow | undefined {
    const windowMs = this.options.halfTrickleWindowMs ?? HALF_TRICKLE_WINDOW_MS;
    if (windowMs <= 0 || this.gatheringWindow) return undefined;
    this.gatheringWindow = new GatheringWindow(windowMs);
    return this.gatheringWindow;
  }

  /**
   * The local description once the window is over: its SDP carries what was gathered meanwhile. The
   * rest trickles, reported after the description has gone out (a task later), as before.
   */
  private async sdpWithCandidates(pc: RTCPeerConnection, window: GatheringWindow | undefined): Promise<string> {
    if (!window) return this.localSdp(pc);
    await window.over;
    this.gatheringWindow = undefined;
    this.assertOpen();
    const sdp = this.localSdp(pc);
    const trickle = candidatesToTrickle(sdp, window.held);
    this.markerOnlyAfterTrickle = !window.complete;
    this.trickledSinceDescription = trickle.length > 0;
    if (trickle.length > 0) {
      setTimeout(() => {
        if (!this.closed) for (const candidate of trickle) this.emit('candidate', candidate);
      }, 0);
    }
    return sdp;
  }

  private localSdp(pc: RTCPeerConnection): string {
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new CallError(CallErrorCode.NegotiationFailed, 'The browser produced no local description');
    return sdp;
  }

  private assertOpen(): void {
    if (this.closed) throw new CallError(CallErrorCode.NegotiationFailed, 'The call is over');
  }
}
