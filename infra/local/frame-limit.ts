/**
 * Finds the first client frame whose payload is longer than API Gateway's frame limit, by reading
 * WebSocket frame headers straight from the raw bytes. `ws` only limits whole messages, and it has
 * already joined the frames by the time it emits one, so the per-frame limit has to be read here.
 *
 * Pure and incremental: feed it chunks exactly as they arrive on the socket.
 */

/** Frame header layout (RFC 6455 §5.2). */
const FIN_BIT = 0x80;
const OPCODE_MASK = 0x0f;
const MASK_BIT = 0x80;
const LENGTH_MASK = 0x7f;
const LENGTH_16_BIT = 126;
const LENGTH_64_BIT = 127;
const MASKING_KEY_BYTES = 4;
/** Continuation, text and binary frames carry message data; 0x8 and above are control frames. */
const LAST_DATA_OPCODE = 0x2;
const LONGEST_HEADER_BYTES = 2 + 8 + MASKING_KEY_BYTES;

export interface OversizedFrame {
  /** The frame's declared payload length. */
  payloadBytes: number;
  /** How many whole data messages ended before the oversized frame began: those may still be delivered. */
  messagesBefore: number;
}

export class FrameLimitScanner {
  private readonly header = new Uint8Array(LONGEST_HEADER_BYTES);
  private headerFilled = 0;
  private payloadLeft = 0;
  private currentFrameEndsMessage = false;
  private completedMessages = 0;
  private found: OversizedFrame | undefined;

  constructor(private readonly maxFrameBytes: number) {}

  /** The oversized frame, once one was seen; scanning stops there. */
  get oversized(): OversizedFrame | undefined {
    return this.found;
  }

  /** Scans the next bytes; returns the oversized frame when this chunk revealed it (reported once), else undefined. */
  push(chunk: Uint8Array): OversizedFrame | undefined {
    if (this.found) return undefined;
    let at = 0;
    while (at < chunk.length && !this.found) {
      if (this.payloadLeft > 0) {
        const skipped = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= skipped;
        at += skipped;
        if (this.payloadLeft === 0) this.endFrame();
        continue;
      }
      this.header[this.headerFilled++] = chunk[at++] ?? 0;
      const needed = this.headerLength();
      if (needed !== undefined && this.headerFilled === needed) this.startPayload();
    }
    return this.found;
  }

  /** Total header length, once the first two bytes tell it. */
  private headerLength(): number | undefined {
    if (this.headerFilled < 2) return undefined;
    const second = this.header[1] ?? 0;
    const lengthCode = second & LENGTH_MASK;
    const extended = lengthCode === LENGTH_16_BIT ? 2 : lengthCode === LENGTH_64_BIT ? 8 : 0;
    const masking = second & MASK_BIT ? MASKING_KEY_BYTES : 0;
    return 2 + extended + masking;
  }

  private startPayload(): void {
    const first = this.header[0] ?? 0;
    const payloadBytes = this.payloadLength();
    this.headerFilled = 0;
    this.currentFrameEndsMessage = (first & FIN_BIT) !== 0 && (first & OPCODE_MASK) <= LAST_DATA_OPCODE;
    if (payloadBytes > this.maxFrameBytes) {
      this.found = { payloadBytes, messagesBefore: this.completedMessages };
      return;
    }
    this.payloadLeft = payloadBytes;
    if (payloadBytes === 0) this.endFrame();
  }

  private payloadLength(): number {
    const lengthCode = (this.header[1] ?? 0) & LENGTH_MASK;
    if (lengthCode === LENGTH_16_BIT) return ((this.header[2] ?? 0) << 8) | (this.header[3] ?? 0);
    if (lengthCode !== LENGTH_64_BIT) return lengthCode;
    let length = 0;
    // Lengths past 2^53 lose precision, but they are over any limit either way.
    for (let i = 2; i < 10; i++) length = length * 256 + (this.header[i] ?? 0);
    return length;
  }

  private endFrame(): void {
    if (this.currentFrameEndsMessage) this.completedMessages++;
    this.currentFrameEndsMessage = false;
  }
}
