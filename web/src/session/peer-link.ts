/**
 * One generation of a session call's peer connection (PROTOCOL.md, "Whiteboard session calls": a
 * rejoin is a new peer connection in the same call). The chat calls' negotiator does the media
 * work; this adds the whiteboard's data channel to the peer connection before any offer or answer,
 * and sends what the negotiator produces as `session_signal` (candidates in batches, as chat calls do).
 */
import type { IceCandidate } from '../../../shared/protocol';
import { BoardChannel } from '../board/board-channel';
import { CandidateBatcher, Emitter, Negotiator, type CallType, type PeerConnectionFactory } from '../client';
import type { GetDisplayMedia } from '../client/media';
import type { VideoSource } from '../client/video-sender';

export interface PeerSignal {
  description?: { type: 'offer' | 'answer'; sdp: string };
  candidates?: IceCandidate[];
}

export interface PeerLinkOptions {
  generation: number;
  callType: CallType;
  iceServers: RTCIceServer[];
  createPeerConnection: PeerConnectionFactory;
  /** The call's own microphone and camera, opened once for the whole call; each generation sends a copy. */
  media: MediaStream;
  /** The screen picker; without one, sharing is not offered. */
  getDisplayMedia?: GetDisplayMedia;
  /** Yields when both renegotiate at once: the side that did not offer this generation. */
  polite: boolean;
  send: (signal: PeerSignal) => void;
}

export interface PeerLinkEvents {
  remoteStream: MediaStream;
  connection: RTCPeerConnectionState;
  /** The whiteboard's channel on this peer connection (not open yet). */
  board: BoardChannel;
  /** What this side's video sender sends now: the camera, the screen, or nothing. */
  videoSource: VideoSource;
  failed: Error;
}

export class PeerLink extends Emitter<PeerLinkEvents> {
  readonly generation: number;
  private readonly negotiator: Negotiator;
  private readonly batcher: CandidateBatcher;
  private boardChannel: BoardChannel | undefined;
  private closed = false;
  /** The generation's first offer and answer are done: later descriptions are renegotiations. */
  private negotiated = false;

  constructor(private readonly options: PeerLinkOptions) {
    super();
    this.generation = options.generation;
    this.negotiator = new Negotiator({
      callType: options.callType,
      iceServers: options.iceServers,
      createPeerConnection: (configuration) => {
        const pc = options.createPeerConnection(configuration);
        this.boardChannel = new BoardChannel(pc);
        queueMicrotask(() => {
          if (this.boardChannel && !this.closed) this.emit('board', this.boardChannel);
        });
        return pc;
      },
      // Copies, so closing this generation leaves the call's devices open for the next one.
      getUserMedia: async () => options.media.clone(),
      ...(options.getDisplayMedia ? { getDisplayMedia: options.getDisplayMedia } : {}),
      polite: options.polite,
    });
    this.batcher = new CandidateBatcher((candidates) => options.send({ candidates }));
    this.batcher.start();
    this.negotiator.on('candidate', (candidate) => this.batcher.push(candidate));
    this.negotiator.on('remoteStream', (stream) => this.emit('remoteStream', stream));
    this.negotiator.on('connection', (state) => this.emit('connection', state));
    // A later change (a video the call did not have, an ICE restart) is renegotiated over the same session_signal.
    this.negotiator.on('renegotiate', (description) => options.send({ description }));
    this.negotiator.on('videoSource', (source) => this.emit('videoSource', source));
  }

  get remoteStream(): MediaStream | undefined {
    return this.negotiator.remoteStream;
  }

  /** The peer connection's stats (for the call's quality); undefined once it is closed. */
  getStats(): Promise<RTCStatsReport | undefined> {
    return this.negotiator.getStats();
  }

  get connectionState(): RTCPeerConnectionState {
    return this.negotiator.connectionState;
  }

  get canShareScreen(): boolean {
    return this.negotiator.canShareScreen;
  }

  get videoSource(): VideoSource {
    return this.negotiator.videoSource;
  }

  /** The screen instead of the camera (the browser's picker opens); the browser's own stop ends it too. */
  shareScreen(): Promise<void> {
    return this.negotiator.shareScreen();
  }

  stopSharing(): Promise<void> {
    return this.negotiator.stopSharing();
  }

  /** This generation's offerer: a fresh offer. */
  offer(): void {
    void this.run(async () => this.options.send({ description: await this.negotiator.createOffer() }));
  }

  /** What the other member's browser sent for this generation. */
  receive(signal: PeerSignal): void {
    if (this.closed) return;
    const description = signal.description;
    if (description && this.negotiated) {
      this.negotiator.receiveRenegotiation(description);
    } else if (description?.type === 'offer') {
      void this.run(async () => {
        const answer = await this.negotiator.acceptOffer({ type: 'offer', sdp: description.sdp });
        this.negotiated = true;
        this.options.send({ description: answer });
      });
    } else if (description?.type === 'answer') {
      void this.run(async () => {
        await this.negotiator.applyAnswer({ type: 'answer', sdp: description.sdp });
        this.negotiated = true;
      });
    }
    if (signal.candidates) this.negotiator.addRemoteCandidates(signal.candidates);
  }

  setTrackEnabled(kind: 'audio' | 'video', enabled: boolean): void {
    this.negotiator.setTrackEnabled(kind, enabled);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.batcher.close();
    this.boardChannel?.close();
    this.negotiator.close();
    this.removeAllListeners();
  }

  private async run(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (!this.closed) this.emit('failed', error instanceof Error ? error : new Error(String(error)));
    }
  }
}
