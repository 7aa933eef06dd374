/**
 * What the seed-format candidate split costs in billed messages: a peer that did not declare
 * `candidate_batches` gets one `ice_candidate` per candidate (the end-of-candidates marker
 * included) where a peer that did gets one per burst. Only the web client's batches are split,
 * so the extra messages are those of a call between this project's client and a seed client.
 */
import type { AwsPrices } from './aws-prices';
import type { Candidate } from './workload/session-content';

export interface CandidateSplitCost {
  /** Messages the web client's candidates take to a peer that reads batches (one per burst). */
  batchedMessagesPerSide: number;
  /** The same candidates to a seed-format peer: one per candidate, plus the end marker. */
  splitMessagesPerSide: number;
  /** Extra billed messages out per call with one seed-format party (its peer's candidates split). */
  extraMessagesPerCall: number;
  usdPer1000Calls: number;
  /** The extra messages against everything billed for a call between two web clients. */
  shareOfCallMessages: number;
}

export function candidateSplitCost(
  bursts: readonly (readonly Candidate[])[],
  messagesPerCall: number,
  prices: AwsPrices,
): CandidateSplitCost {
  const batched = bursts.filter((burst) => burst.length > 0).length;
  const split = bursts.reduce((sum, burst) => sum + burst.length, 0) + 1;
  // A one-candidate burst already travels in the single form: it costs the same either way.
  const extra = split - batched;
  return {
    batchedMessagesPerSide: batched,
    splitMessagesPerSide: split,
    extraMessagesPerCall: extra,
    usdPer1000Calls: (extra * 1000 * prices.apiGateway.perMillionMessages) / 1_000_000,
    shareOfCallMessages: messagesPerCall > 0 ? extra / messagesPerCall : 0,
  };
}
