/** A container's short memory of answered calls, so forwarding candidates needs no read. */
import type { CallRecord } from './model';

/** Long enough for a call's trickle ICE, short enough that a stale entry costs little. */
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 5_000;

export class RecentCalls {
  private readonly calls = new Map<string, { call: CallRecord; until: number }>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  get(callId: string): CallRecord | undefined {
    const entry = this.calls.get(callId);
    if (!entry) return undefined;
    if (entry.until > this.nowMs()) return entry.call;
    this.calls.delete(callId);
    return undefined;
  }

  remember(call: CallRecord): void {
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.calls.size >= MAX_REMEMBERED) this.calls.delete(this.calls.keys().next().value ?? '');
    this.calls.set(call.call_id, { call, until: this.nowMs() + REMEMBER_MS });
  }

  forget(callId: string): void {
    this.calls.delete(callId);
  }
}
