/**
 * The one video we send, whatever feeds it: the camera, the screen, or nothing. A video sender
 * that exists only swaps its track (`replaceTrack`: no renegotiation, the peer's picture just
 * changes); a call without one (a voice call) gets a video transceiver, and one that stops sending
 * turns its direction to receive-only, which the browser renegotiates (`negotiationneeded`).
 */
export type VideoSource = 'camera' | 'screen' | 'none';

export class VideoSender {
  private sourceValue: VideoSource;
  private screen: MediaStreamTrack | undefined;

  constructor(
    private readonly pc: RTCPeerConnection,
    initial: VideoSource,
    private readonly localStream: () => MediaStream | undefined,
  ) {
    this.sourceValue = initial;
  }

  get source(): VideoSource {
    return this.sourceValue;
  }

  /** Sends `track` as `source`; a null camera track means no video. A screen replaced is stopped. */
  async send(source: Exclude<VideoSource, 'none'>, track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.transceiver();
    if (transceiver) {
      await transceiver.sender.replaceTrack(track);
      const direction = track ? withSending(transceiver.direction) : withoutSending(transceiver.direction);
      if (direction !== transceiver.direction) transceiver.direction = direction;
    } else if (track) {
      const stream = this.localStream();
      if (stream) this.pc.addTrack(track, stream);
      else this.pc.addTrack(track);
    }
    if (source !== 'screen') this.stopScreen();
    else this.screen = track ?? undefined;
    this.sourceValue = track ? source : 'none';
  }

  /** Ends the screen capture (the browser's "sharing" indicator goes away). */
  stopScreen(): void {
    this.screen?.stop();
    this.screen = undefined;
  }

  /** The call's video transceiver: the one we send on, or the one the peer's video came in on. */
  private transceiver(): RTCRtpTransceiver | undefined {
    const transceivers = this.pc.getTransceivers().filter((t) => t.direction !== 'stopped' && t.receiver.track.kind === 'video');
    return transceivers.find((t) => t.sender.track !== null) ?? transceivers[0];
  }
}

function withSending(direction: RTCRtpTransceiverDirection): RTCRtpTransceiverDirection {
  if (direction === 'recvonly') return 'sendrecv';
  if (direction === 'inactive') return 'sendonly';
  return direction;
}

function withoutSending(direction: RTCRtpTransceiverDirection): RTCRtpTransceiverDirection {
  if (direction === 'sendrecv') return 'recvonly';
  if (direction === 'sendonly') return 'inactive';
  return direction;
}
