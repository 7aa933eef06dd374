/**
 * Line claims: a profile is in at most one call, held by its line (`line#{profile key}`), claimed
 * by a conditional write. A line held by another call is judged (`transitions/glare.ts`): stale
 * lines are taken over, glare is settled by call id, anything else is busy. The line is shared by
 * the two call systems: a whiteboard session call marks the lines it holds (`system`), and its
 * call is looked up in its own table (`SessionLineHolders`).
 */
import type { Applier } from './apply';
import type { CallRecord, Clock, CallStore, LineRecord } from './model';
import { glareLost, judgeLineHolder } from './transitions/glare';

export type ClaimOutcome = 'claimed' | 'yield' | 'busy';

/** Where a line held by a whiteboard session call finds its call: whether it is still open (undefined: no such call). */
export interface SessionLineHolders {
  isOpen(callId: string): Promise<boolean | undefined>;
}

/**
 * A session call as the line judge reads it: an open one is like an answered chat call (busy, never
 * glare), one that is over leaves a stale line. No way to look (`holders` absent): busy.
 */
async function judgedSessionHolder(
  holders: SessionLineHolders | undefined,
  callId: string,
): Promise<Pick<CallRecord, 'status' | 'expires_at'> | undefined | 'unknown'> {
  if (!holders) return 'unknown';
  const open = await holders.isOpen(callId);
  if (open === undefined) return undefined;
  return { status: open ? 'answered' : 'ended', expires_at: '' };
}

const MAX_CLAIM_ATTEMPTS = 20;
const CLAIM_WAIT_MS = 50;

export class LineClaims {
  constructor(
    private readonly store: CallStore,
    private readonly applier: Applier,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly sessionHolders?: SessionLineHolders,
  ) {}

  /** Claims `line` for our call. */
  async claim(line: LineRecord): Promise<ClaimOutcome> {
    let replacing: string | undefined;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const result = await this.store.claimLine(line, replacing);
      if (result.claimed) return 'claimed';
      const holder = result.holder;
      if (!holder) {
        replacing = undefined; // freed meanwhile
        continue;
      }
      const holderCall = holder.system === undefined ? await this.store.getCall(holder.callId) : undefined;
      const judged = holder.system === undefined ? holderCall : await judgedSessionHolder(this.sessionHolders, holder.callId);
      if (judged === 'unknown') return 'busy';
      switch (judgeLineHolder(line, holder, judged, this.clock.now())) {
        case 'busy':
          return 'busy';
        case 'yield':
          return 'yield';
        case 'wait':
          replacing = undefined;
          await this.sleep(CLAIM_WAIT_MS);
          continue;
        case 'stale':
          replacing = holder.callId;
          continue;
        case 'stand': {
          const taken = await this.store.claimLine(line, holder.callId);
          if (!taken.claimed) continue;
          if (holderCall) await this.applier.apply(glareLost(holderCall, this.clock.now()));
          return 'claimed';
        }
      }
    }
    return 'busy';
  }

  /** Frees the line if our call still holds it. */
  release(line: Pick<LineRecord, 'profileKey' | 'callId'>): Promise<void> {
    return this.store.releaseLine(line.profileKey, line.callId);
  }
}
