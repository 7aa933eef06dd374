/**
 * A peer connection's signaling part as the WebRTC spec runs it, for the perfect-negotiation tests
 * (Node has no RTCPeerConnection): the signaling states, `setLocalDescription()` without
 * arguments making an offer or an answer, the implicit rollback of a local offer by a remote one,
 * and `negotiationneeded` fired (again) whenever the connection is stable with changes not yet
 * negotiated. A description's SDP lists the changes it carries, so a test can tell what the other
 * side has applied.
 */
import type { Description, NegotiatingConnection } from '../../web/src/client/perfect-negotiation';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class SignalingPeer implements NegotiatingConnection {
  signalingState: RTCSignalingState = 'stable';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  onnegotiationneeded: ((event: Event) => void) | null = null;
  /** Changes made on this side (a track added, an ICE restart asked for). */
  readonly changes: string[] = [];
  /** Changes the peer has answered: negotiated. */
  private negotiated = 0;
  /** How many changes our pending offer carries. */
  private offered = 0;
  readonly rollbacks: number[] = [];
  negotiationNeededFired = 0;
  /** The spec's operations chain: description calls run one after another, in the order they were made. */
  private operations: Promise<void> = Promise.resolve();
  private pendingOperations = 0;

  constructor(readonly name: string) {}

  /** A change that needs negotiating (what `addTrack` or `restartIce` does). */
  change(tag: string): void {
    this.changes.push(tag);
    this.maybeNeedNegotiation();
  }

  /** The changes of the peer's that this side has applied, from the remote descriptions it took. */
  get appliedFromPeer(): string[] {
    const sdp = this.remoteDescription?.sdp ?? '';
    const list = sdp.split(' ')[1] ?? '';
    return list === '' ? [] : list.split(',');
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    return this.chained(() => this.runSetLocal(description));
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.chained(() => this.runSetRemote(description));
  }

  private chained(operation: () => Promise<void>): Promise<void> {
    this.pendingOperations++;
    const result = this.operations.then(operation).finally(() => {
      // The spec looks at the negotiation-needed flag again once the chain is empty.
      if (--this.pendingOperations === 0) this.maybeNeedNegotiation();
    });
    this.operations = result.catch(() => undefined);
    return result;
  }

  private async runSetLocal(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    await tick();
    if (description?.type === 'rollback') throw new Error('explicit rollback is not used by the pattern');
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: `answer ${this.changes.slice(0, this.negotiated).join(',')}` };
      this.signalingState = 'stable';
      this.maybeNeedNegotiation();
      return;
    }
    if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError');
    this.offered = this.changes.length;
    this.localDescription = { type: 'offer', sdp: `offer ${this.changes.join(',')}` };
    this.signalingState = 'have-local-offer';
  }

  private async runSetRemote(description: RTCSessionDescriptionInit): Promise<void> {
    await tick();
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') {
        // Implicit rollback: our offer is withdrawn; its changes stay to be negotiated.
        this.rollbacks.push(this.offered);
        this.offered = 0;
        this.localDescription = null;
        this.signalingState = 'stable';
      }
      if (this.signalingState !== 'stable') throw new Error('InvalidStateError: an offer in the wrong state');
      this.remoteDescription = { type: 'offer', sdp: description.sdp ?? '' };
      this.signalingState = 'have-remote-offer';
      return;
    }
    if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError: an answer in the wrong state');
      this.negotiated = this.offered;
      this.signalingState = 'stable';
      this.maybeNeedNegotiation();
      return;
    }
    throw new Error(`unexpected ${description.type}`);
  }

  private maybeNeedNegotiation(): void {
    if (this.signalingState !== 'stable' || this.negotiated >= this.changes.length) return;
    // Queued as a task, and fired only if still needed then, and never while operations are queued
    // (the spec's "update the negotiation-needed flag").
    setTimeout(() => {
      if (this.pendingOperations > 0 || this.signalingState !== 'stable' || this.negotiated >= this.changes.length) return;
      this.negotiationNeededFired++;
      this.onnegotiationneeded?.(new Event('negotiationneeded'));
    }, 0);
  }
}

/** The signaling path between two sides: what each sends, delivered to the other when the test says (or at once). */
export class Wire {
  readonly toCallee: Description[] = [];
  readonly toCaller: Description[] = [];
  readonly sent: { from: 'caller' | 'callee'; description: Description }[] = [];
  held = false;
  deliverToCaller: (description: Description) => void = () => undefined;
  deliverToCallee: (description: Description) => void = () => undefined;

  fromCaller = (description: Description): void => {
    this.sent.push({ from: 'caller', description });
    this.toCallee.push(description);
    if (!this.held) this.flush();
  };

  fromCallee = (description: Description): void => {
    this.sent.push({ from: 'callee', description });
    this.toCaller.push(description);
    if (!this.held) this.flush();
  };

  /** Delivers everything in flight, each way in order. */
  flush(): void {
    for (const description of this.toCallee.splice(0)) setTimeout(() => this.deliverToCallee(description), 0);
    for (const description of this.toCaller.splice(0)) setTimeout(() => this.deliverToCaller(description), 0);
  }
}
