/**
 * Line claims: a profile is in at most one call, held by its line (`line#{profile key}`), claimed
 * by a conditional write. A line held by another call is judged (`transitions/glare.ts`): stale
 * lines are taken over, glare is settled by call id, anything else is busy.
 */
import type { Applier } from './apply';
import type { Clock, CallStore, LineRecord } from './model';
import { glareLost, judgeLineHolder } from './transitions/glare';

export type ClaimOutcome = 'claimed' | 'yield' | 'busy';

const MAX_CLAIM_ATTEMPTS = 20;
const CLAIM_WAIT_MS = 50;

export class LineClaims {
  constructor(
    private readonly store: CallStore,
    private readonly applier: Applier,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
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
      const holderCall = await this.store.getCall(holder.callId);
      switch (judgeLineHolder(line, holder, holderCall, this.clock.now())) {
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
