/**
 * What one call says to the server. Every message but the invitation names the call by the id the
 * server gave it, which an outgoing call only learns from the server's first reply: until then
 * local ICE candidates are held, and a cancel goes out in the seed's id-less form ("the call of
 * this socket") and again with the id once it is known. Sending never throws, except for the
 * invitation and the answer, whose failure fails the call.
 */
import type { ClientMessageInput, IceCandidate } from '../../../shared/protocol';
import { CandidateBatcher, type CandidateBatcherOptions } from './candidate-batcher';
import type { CallType } from './call-types';
import type { SessionDescription } from './negotiator';

/**
 * What the embedding platform vouches for a call with: the conversation it belongs to and the call
 * grant its backend minted for it (PROTOCOL.md, "Who may call whom").
 */
export interface CallVouching {
  conversationId?: string | number;
  grant?: string;
}

/** How a call reaches the signaling connection. */
export interface CallTransport {
  /** Throws `CallError` (not connected, too large) when the message cannot be sent or queued. */
  send(message: ClientMessageInput, options?: { queue?: boolean }): void;
}

export class CallSignals {
  private callId: string | undefined;
  private invited = false;
  private cancelOwed = false;
  private readonly batcher: CandidateBatcher;

  constructor(
    private readonly transport: CallTransport,
    batcherOptions: Partial<CandidateBatcherOptions>,
    id?: string,
  ) {
    this.batcher = new CandidateBatcher((candidates) => this.sendCandidates(candidates), batcherOptions);
    if (id) this.named(id);
  }

  get id(): string | undefined {
    return this.callId;
  }

  /** A cancel sent before the id was known still has to be repeated with it. */
  get owesCancel(): boolean {
    return this.cancelOwed;
  }

  /** The server named the call: release held candidates, and repeat an early cancel. */
  named(id: string): void {
    if (this.callId) return;
    this.callId = id;
    if (this.cancelOwed) {
      this.cancelOwed = false;
      this.trySend({ type: 'call_ended', call_id: id, reason: 'cancelled' });
    }
    this.batcher.start();
  }

  /**
   * Outgoing calls: never queued, since an invitation delivered late would ring a stale call. A call
   * the platform started already has its id: the invitation carries it, and is that call's offer.
   */
  invite(
    to: { profile_id: string | number; profile_type: string },
    callType: CallType,
    offer: SessionDescription<'offer'>,
    vouched: CallVouching = {},
  ): void {
    this.transport.send(
      {
        type: 'call_invitation',
        ...(this.callId !== undefined ? { call_id: this.callId } : {}),
        call_type: callType,
        to_profile_id: to.profile_id,
        to_profile_type: to.profile_type,
        offer,
        ...(vouched.conversationId !== undefined ? { conversation_id: vouched.conversationId } : {}),
        ...(vouched.grant !== undefined ? { call_grant: vouched.grant } : {}),
      },
      { queue: false },
    );
    this.invited = true;
  }

  /** Accepts a call the platform started (`call_invite`); its offer follows. Throws like the answer. */
  acceptInvite(): void {
    if (this.callId) this.transport.send({ type: 'call_invite_accept', call_id: this.callId });
  }

  answer(answer: SessionDescription<'answer'>): void {
    this.transport.send({ type: 'call_answer', call_id: this.callId, answer });
  }

  decline(reason: 'rejected' | 'busy' = 'rejected'): void {
    if (this.callId) this.trySend({ type: 'call_declined', call_id: this.callId, reason });
  }

  /** Hangs up (answered) or cancels (not yet). Queued while offline: the end must reach the server. */
  end(reason: 'hangup' | 'cancelled'): void {
    if (this.callId) {
      this.trySend({ type: 'call_ended', call_id: this.callId, reason });
    } else if (this.invited) {
      this.cancelOwed = true;
      this.trySend({ type: 'call_ended', reason: 'cancelled' });
    }
  }

  /** Re-binds an answered call to a new socket of ours. */
  resume(): void {
    if (this.callId) this.trySend({ type: 'call_resume', call_id: this.callId });
  }

  /** Binds a new socket of ours to a call ringing here (the server tells it how the call ended, if it has). */
  resumeRinging(): void {
    if (this.callId) this.trySend({ type: 'call_resume', call_id: this.callId, ringing: true });
  }

  /**
   * A later offer or answer. Never queued: one sent before our socket is bound again would be
   * refused, so the call repeats its pending offer once the call is re-bound (ours or the peer's).
   */
  renegotiate(description: SessionDescription<'offer' | 'answer'>): void {
    if (!this.callId) return;
    try {
      this.transport.send({ type: 'call_renegotiate', call_id: this.callId, description }, { queue: false });
    } catch {
      // Offline: the pending offer goes out again on `call_resumed`.
    }
  }

  candidate(candidate: IceCandidate): void {
    this.batcher.push(candidate);
  }

  /** No more candidates (the call is over); an owed cancel stays owed. */
  close(): void {
    this.batcher.close();
  }

  private sendCandidates(candidates: IceCandidate[]): void {
    if (!this.callId) return;
    const [only] = candidates;
    // A single candidate travels in the seed's form, which every client understands.
    this.trySend(
      candidates.length === 1 && only
        ? { type: 'ice_candidate', call_id: this.callId, candidate: only }
        : { type: 'ice_candidate', call_id: this.callId, candidates },
    );
  }

  private trySend(message: ClientMessageInput): void {
    try {
      this.transport.send(message);
    } catch {
      // Closed for good, or too large: the server's own timers end what we cannot.
    }
  }
}
