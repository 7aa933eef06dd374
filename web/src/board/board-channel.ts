/**
 * The session call's whiteboard data channel (shared/board-protocol.ts): board messages in and out,
 * peer to peer. Created on the peer connection before its offer or answer, on both sides alike. A
 * whole board sent at once is paced by the channel's buffer, so it never overruns the browser's
 * send queue (which closes the channel when it overflows).
 */
import { BOARD_CHANNEL, parseBoardMessage, serializeBoardMessage, type BoardMessage } from '../../../shared/board-protocol';
import { Emitter } from '../client';

/** Sending pauses above this many buffered bytes and resumes once the buffer drains below the low mark. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;

export interface BoardChannelEvents {
  /** Open: the time to hand over the whole board. */
  open: undefined;
  message: BoardMessage;
}

export class BoardChannel extends Emitter<BoardChannelEvents> {
  private readonly channel: RTCDataChannel;
  private queue: string[] = [];

  constructor(peerConnection: RTCPeerConnection) {
    super();
    this.channel = peerConnection.createDataChannel(BOARD_CHANNEL.label, { negotiated: true, id: BOARD_CHANNEL.id, ordered: true });
    this.channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.channel.onopen = () => this.emit('open', undefined);
    this.channel.onbufferedamountlow = () => this.pump();
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const message = parseBoardMessage(event.data);
      if (message) this.emit('message', message);
    };
  }

  get isOpen(): boolean {
    return this.channel.readyState === 'open';
  }

  /** Sends in order; dropped while the channel is not open (the next channel's handover carries the board). */
  send(messages: readonly BoardMessage[]): void {
    if (!this.isOpen) return;
    for (const message of messages) this.queue.push(serializeBoardMessage(message));
    this.pump();
  }

  close(): void {
    this.queue = [];
    this.channel.onopen = null;
    this.channel.onmessage = null;
    this.channel.onbufferedamountlow = null;
    this.channel.close();
    this.removeAllListeners();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.isOpen && this.channel.bufferedAmount < HIGH_WATER_BYTES) {
      const frame = this.queue.shift();
      if (frame === undefined) break;
      try {
        this.channel.send(frame);
      } catch {
        // Closing under our feet: the call is changing generation or ending; the next handover repairs.
        this.queue = [];
      }
    }
  }
}
