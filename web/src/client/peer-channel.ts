/**
 * The call's data channel to the peer (shared/peer-protocol.ts): typed messages in and out,
 * peer to peer. Created on the peer connection before the offer or answer, on both sides alike.
 */
import { PEER_CHANNEL, parsePeerMessage, serializePeerMessage, type PeerMessage } from '../../../shared/peer-protocol';
import { Emitter } from './emitter';

export interface PeerChannelEvents {
  /** The channel is open: what the peer should know of us now can be sent. */
  open: undefined;
  message: PeerMessage;
}

export class PeerChannel extends Emitter<PeerChannelEvents> {
  private readonly channel: RTCDataChannel;

  constructor(peerConnection: RTCPeerConnection) {
    super();
    this.channel = peerConnection.createDataChannel(PEER_CHANNEL.label, { negotiated: true, id: PEER_CHANNEL.id, ordered: true });
    this.channel.onopen = () => this.emit('open', undefined);
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const message = parsePeerMessage(event.data);
      if (message) this.emit('message', message);
    };
  }

  get isOpen(): boolean {
    return this.channel.readyState === 'open';
  }

  /** Sends now, or not at all (false) while the channel is not open: senders repeat their state on `open`. */
  send(message: PeerMessage): boolean {
    if (!this.isOpen) return false;
    try {
      this.channel.send(serializePeerMessage(message));
      return true;
    } catch {
      // Closing under our feet: the call is ending anyway.
      return false;
    }
  }

  close(): void {
    this.channel.onopen = null;
    this.channel.onmessage = null;
    this.channel.close();
    this.removeAllListeners();
  }
}
