/**
 * Collects local ICE candidates and sends them in batches: one message per burst instead of one
 * per candidate (each message is a paid Lambda invocation), at most 50 per message and well under
 * the frame limit. Candidates are held while the call has no id yet (the server assigns it), and
 * sent once `start` is called.
 */
import { MAX_CANDIDATES_PER_MESSAGE, MAX_FRAME_BYTES } from '../../../shared/limits';
import type { IceCandidate } from '../../../shared/protocol';

export interface CandidateBatcherOptions {
  /** How long to wait for more candidates after the first of a burst. */
  flushDelayMs: number;
  maxPerMessage: number;
  /** Candidate text per message, leaving room for the envelope within one frame. */
  maxBytesPerMessage: number;
}

export const DEFAULT_BATCHER_OPTIONS: CandidateBatcherOptions = {
  flushDelayMs: 25,
  maxPerMessage: MAX_CANDIDATES_PER_MESSAGE,
  maxBytesPerMessage: MAX_FRAME_BYTES - 4 * 1024,
};

/** The end-of-candidates marker of the protocol. */
export const END_OF_CANDIDATES: IceCandidate = { candidate: '' };

export class CandidateBatcher {
  private pending: IceCandidate[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private closed = false;
  private readonly options: CandidateBatcherOptions;

  constructor(
    private readonly sendBatch: (candidates: IceCandidate[]) => void,
    options: Partial<CandidateBatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_BATCHER_OPTIONS, ...options };
  }

  /** Adds a local candidate (or `END_OF_CANDIDATES`, which flushes at once). */
  push(candidate: IceCandidate): void {
    if (this.closed) return;
    this.pending.push(candidate);
    if (!this.started) return;
    if (candidate.candidate === '' || this.pending.length >= this.options.maxPerMessage) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushDelayMs);
  }

  /** The call id is known: send what was held, and everything that follows. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.flush();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || this.closed) return;
    while (this.pending.length > 0) {
      const batch: IceCandidate[] = [];
      let bytes = 0;
      while (this.pending.length > 0 && batch.length < this.options.maxPerMessage) {
        const next = this.pending[0]!;
        const size = JSON.stringify(next).length;
        if (batch.length > 0 && bytes + size > this.options.maxBytesPerMessage) break;
        batch.push(next);
        bytes += size;
        this.pending.shift();
      }
      this.sendBatch(batch);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending = [];
  }
}
