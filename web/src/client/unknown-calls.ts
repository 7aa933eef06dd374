/**
 * Memory for messages about calls this client does not know (yet, or any more). No order is
 * guaranteed between the server's messages: candidates can overtake their invitation, and an
 * invitation can arrive after its own `call_ended`. So messages about an unknown call are kept a
 * while for the invitation that may follow, and the ids of calls that are over are remembered so
 * that nothing about them rings or routes again.
 */
import type { ServerMessage } from '../../../shared/protocol';

export type CallMessage = Extract<ServerMessage, { call_id: string }>;

/** How long messages about an unknown call wait for its invitation. */
export const EARLY_MESSAGE_TTL_MS = 30_000;
const MAX_EARLY_CALLS = 20;
const MAX_REMEMBERED_ENDS = 200;

export class UnknownCalls {
  private readonly early = new Map<string, { at: number; messages: CallMessage[] }>();
  private readonly ended = new Set<string>();

  /** Keeps a message until its call appears (or the wait is over). */
  keep(message: CallMessage, now = Date.now()): void {
    for (const [id, entry] of this.early) {
      if (now - entry.at > EARLY_MESSAGE_TTL_MS) this.early.delete(id);
    }
    const entry = this.early.get(message.call_id);
    if (entry) entry.messages.push(message);
    else if (this.early.size < MAX_EARLY_CALLS) this.early.set(message.call_id, { at: now, messages: [message] });
  }

  /** Hands over (and forgets) what was kept for `callId`. */
  take(callId: string): CallMessage[] {
    const entry = this.early.get(callId);
    this.early.delete(callId);
    return entry?.messages ?? [];
  }

  markEnded(callId: string): void {
    this.early.delete(callId);
    this.ended.add(callId);
    if (this.ended.size > MAX_REMEMBERED_ENDS) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  isEnded(callId: string): boolean {
    return this.ended.has(callId);
  }
}
