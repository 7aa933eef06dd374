/**
 * One call's media session: opens the microphone/camera, owns the RTCPeerConnection and its data
 * channel to the peer, creates or answers the offer, reports local ICE candidates, and applies
 * remote ones. No order of signaling messages is guaranteed, so remote candidates that arrive
 * before the remote description are buffered and applied right after it.
 */
import type { PeerMessage } from '../../../shared/peer-protocol';
import type { IceCandidate } from '../../../shared/protocol';
import { END_OF_CANDIDATES } from './candidate-batcher';
import type { CallType } from './call-types';
import { Emitter } from './emitter';
import { CallError, CallErrorCode } from './errors';
import { acquireMedia, type GetUserMedia } from './media';
import { PeerChannel } from './peer-channel';

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
}

export class Negotiator extends Emitter<NegotiatorEvents> {
  private peerConnection: RTCPeerConnection | undefined;
  private peerChannel: PeerChannel | undefined;
  private local: MediaStream | undefined;
  private remote: MediaStream | undefined;
  private readonly earlyCandidates: IceCandidate[] = [];
  private remoteDescriptionSet = false;
  private closed = false;

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

  /** The caller's side: media first, then an offer with our tracks (and a video slot to receive into). */
  async createOffer(): Promise<SessionDescription<'offer'>> {
    await this.openMedia();
    const pc = this.connection();
    this.addLocalTracks(pc);
    if (this.options.callType === 'video' && !pc.getTransceivers().some((t) => t.receiver.track.kind === 'video')) {
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    return this.step('create the offer', async () => {
      await pc.setLocalDescription(await pc.createOffer());
      return { type: 'offer', sdp: this.localSdp(pc) };
    });
  }

  /** The callee's side: the remote offer and the media open in parallel (that is the Accept latency). */
  async acceptOffer(offer: SessionDescription<'offer'>): Promise<SessionDescription<'answer'>> {
    const pc = this.connection();
    await Promise.all([this.openMedia(), this.applyRemote(pc, offer)]);
    this.assertOpen();
    this.addLocalTracks(pc);
    return this.step('create the answer', async () => {
      await pc.setLocalDescription(await pc.createAnswer());
      return { type: 'answer', sdp: this.localSdp(pc) };
    });
  }

  /** The caller's side: the callee's answer. */
  async applyAnswer(answer: SessionDescription<'answer'>): Promise<void> {
    await this.applyRemote(this.connection(), answer);
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
    this.earlyCandidates.length = 0;
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
        this.emit('candidate', END_OF_CANDIDATES);
      } else if (event.candidate.candidate !== '') {
        const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = event.candidate;
        this.emit('candidate', { candidate, sdpMid, sdpMLineIndex, usernameFragment });
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
      // browser that does not take it) must not fail the call; ICE uses the others.
    }
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

  private localSdp(pc: RTCPeerConnection): string {
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new CallError(CallErrorCode.NegotiationFailed, 'The browser produced no local description');
    return sdp;
  }

  private assertOpen(): void {
    if (this.closed) throw new CallError(CallErrorCode.NegotiationFailed, 'The call is over');
  }
}
