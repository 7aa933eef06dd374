/**
 * The sweeper's memory of the answered calls it found with both parties still connected, so that a
 * call that stays due is asked about at most once per interval, without a write to say so. Nothing
 * is routed from it: forgetting it (a new container) only means asking again sooner.
 */
import type { DueTimer } from './model';

export class LivenessChecks {
  private readonly passed = new Map<string, { deadlineAt: string; atMs: number }>();

  constructor(private readonly intervalMs: number) {}

  /** Checked less than an interval ago, with the same timer still pending (nothing has moved it since). */
  checkedRecently(timer: DueTimer, nowMs: number): boolean {
    const entry = this.passed.get(timer.callId);
    return entry !== undefined && entry.deadlineAt === timer.deadlineAt && nowMs - entry.atMs < this.intervalMs;
  }

  recordPassed(callId: string, deadlineAt: string, nowMs: number): void {
    this.passed.set(callId, { deadlineAt, atMs: nowMs });
  }

  /** Drops what no sweep will ask about any more (calls that ended or moved their timer). */
  forgetOlderThan(nowMs: number): void {
    for (const [callId, entry] of this.passed) if (nowMs - entry.atMs >= 2 * this.intervalMs) this.passed.delete(callId);
  }
}
