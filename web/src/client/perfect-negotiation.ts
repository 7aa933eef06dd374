/**
 * Perfect negotiation (W3C WebRTC, "Perfect negotiation example") for everything after a call's
 * first offer and answer: an ICE restart, a screen or a camera added. Either side may change its
 * media at any time; `negotiationneeded` makes an offer with `setLocalDescription()`, and when both
 * offer at once (glare) the polite side (the callee) rolls its own back and answers, while the
 * impolite side (the caller) ignores the offer it did not expect.
 *
 * The first exchange travels in `call_invitation` / `call_answer` and is not ours: until `start()`
 * the browser's `negotiationneeded` (fired for that first offer) is ignored, and remote
 * descriptions are queued, since a peer's later offer may overtake the answer it follows.
 */
import type { SessionDescription } from './negotiator';

export type Description = SessionDescription<'offer' | 'answer'>;

/** The part of RTCPeerConnection the pattern needs (a fake in tests). */
export interface NegotiatingConnection {
  readonly signalingState: RTCSignalingState;
  readonly localDescription: { type: RTCSdpType; sdp: string } | null;
  onnegotiationneeded: ((event: Event) => void) | null;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
}

export interface PerfectNegotiationOptions {
  /** The side that yields in glare: the callee. */
  polite: boolean;
  /** Sends our offer or answer to the peer (`call_renegotiate`). */
  send: (description: Description) => void;
  /** A remote description was applied (queued candidates may now fit it). */
  applied?: (description: Description) => void;
  /** A negotiation step the browser refused: the call survives it (the next change tries again). */
  failed?: (error: unknown) => void;
}

export class PerfectNegotiation {
  private started = false;
  private closed = false;
  private makingOffer = false;
  /** Remote descriptions are handled one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly early: Description[] = [];

  constructor(
    private readonly pc: NegotiatingConnection,
    private readonly options: PerfectNegotiationOptions,
  ) {
    pc.onnegotiationneeded = () => void this.negotiate();
  }

  /** Whether an offer of ours the peer has not answered yet is out (glare decides who yields). */
  get offerPending(): boolean {
    return this.pc.signalingState === 'have-local-offer';
  }

  /** The first offer and answer are done: from now on changes are negotiated here. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    // A change made meanwhile needs nothing here: the browser fires `negotiationneeded` again once stable.
    for (const description of this.early.splice(0)) this.receive(description);
  }

  /** The peer's `call_renegotiate`. */
  receive(description: Description): void {
    if (this.closed) return;
    if (!this.started) {
      this.early.push(description);
      return;
    }
    this.chain = this.chain.then(() => this.apply(description)).catch((error: unknown) => this.options.failed?.(error));
  }

  /** Sends our current offer again (the peer's socket was away when it went out). */
  resendPendingOffer(): void {
    const local = this.pc.localDescription;
    if (!this.closed && this.offerPending && local?.type === 'offer') this.options.send({ type: 'offer', sdp: local.sdp });
  }

  close(): void {
    this.closed = true;
    this.pc.onnegotiationneeded = null;
    this.early.length = 0;
  }

  // ---------------------------------------------------------------------------------------------

  private async negotiate(): Promise<void> {
    // Before `start()` this is the first offer, which the call makes itself.
    if (this.closed || !this.started) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (!this.closed && local?.type === 'offer') this.options.send({ type: 'offer', sdp: local.sdp });
    } catch (error) {
      this.options.failed?.(error);
    } finally {
      this.makingOffer = false;
    }
  }

  private async apply(description: Description): Promise<void> {
    if (this.closed) return;
    const offerCollision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    // The impolite side keeps its own offer; the polite one answers it once its own is rolled back.
    if (offerCollision && !this.options.polite) return;
    if (description.type === 'answer' && this.pc.signalingState !== 'have-local-offer') {
      // An answer to an offer we rolled back (we were polite in glare): nothing to apply it to.
      return;
    }
    // A polite side in glare: `setRemoteDescription` rolls our own offer back on its own.
    await this.pc.setRemoteDescription(description);
    if (this.closed) return;
    this.options.applied?.(description);
    if (description.type === 'offer') {
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (!this.closed && local?.type === 'answer') this.options.send({ type: 'answer', sdp: local.sdp });
    }
  }
}
