/**
 * How much the bench runs. The full run is what `npm run bench` prints and commits (under five
 * minutes on a 2-core machine); the quick run is the same code on a few calls, for the test that
 * proves the bench works.
 */
import { ENV } from '../../shared/env';

export interface LoadLevel {
  /** Calls in flight at once. */
  concurrency: number;
  /** Calls each slot runs back to back in one round. */
  callsPerSlot: number;
}

export interface BenchConfig {
  mode: 'full' | 'quick';
  levels: readonly LoadLevel[];
  /** Rounds per level and relay dropped before measuring (JIT, caches, store growth). */
  warmupRounds: number;
  measuredRounds: number;
  callTimeoutMs: number;
  /** Calls counted one at a time on each gateway for the per-call counts. */
  countedCalls: number;
  sweeperRuns: number;
  /** One call's candidates one per message, paced under the rate limit (`workload/paced.ts`). */
  paced: { candidates: number; intervalMs: number };
  /** Calls set up, then every side's candidates one per message, all at once (`workload/burst.ts`). */
  burst: { calls: number; candidatesPerSide: number; rounds: number };
  /** Functions whose cold start is measured, and loads per function. */
  coldStart: { functions: readonly string[] | 'all'; runs: number };
}

export const FULL_RUN: BenchConfig = {
  mode: 'full',
  levels: [
    { concurrency: 1, callsPerSlot: 100 },
    { concurrency: 50, callsPerSlot: 4 },
    { concurrency: 200, callsPerSlot: 2 },
  ],
  warmupRounds: 1,
  measuredRounds: 3,
  callTimeoutMs: 30_000,
  countedCalls: 10,
  sweeperRuns: 5,
  // 50 ms between candidates, sides taking turns: 10 a second per socket, half the default limit.
  paced: { candidates: 40, intervalMs: 50 },
  // The burst: 50 calls × 40 candidates, 2,000 messages at once.
  burst: { calls: 50, candidatesPerSide: 20, rounds: 3 },
  coldStart: { functions: 'all', runs: 5 },
};

export const QUICK_RUN: BenchConfig = {
  mode: 'quick',
  levels: [
    { concurrency: 1, callsPerSlot: 3 },
    { concurrency: 4, callsPerSlot: 1 },
  ],
  warmupRounds: 1,
  measuredRounds: 1,
  callTimeoutMs: 10_000,
  countedCalls: 2,
  sweeperRuns: 2,
  paced: { candidates: 4, intervalMs: 20 },
  burst: { calls: 4, candidatesPerSide: 3, rounds: 1 },
  coldStart: { functions: ['ping'], runs: 1 },
};

/**
 * The gateway's rate limits (per socket and per profile) and its limit on repeated rings are raised
 * for the bench: each slot runs many calls in a row over one socket pair, far faster than a person
 * could, and would otherwise be refused. The limiters still run on every message.
 */
export const BENCH_RATE_LIMIT_PER_SECOND = '100000';
const BENCH_PAIR_RING_LIMIT = '100000';

/** What a bench or soak gateway is started with: the test's secret, routing lines logged as deployed, raised limits. */
export function loadTestGatewayEnvironment(secret: string): Record<string, string> {
  return {
    [ENV.jwtSecret]: secret,
    [ENV.logLevel]: 'info',
    [ENV.rateLimitOffers]: BENCH_RATE_LIMIT_PER_SECOND,
    [ENV.rateLimitCandidates]: BENCH_RATE_LIMIT_PER_SECOND,
    [ENV.rateLimitOther]: BENCH_RATE_LIMIT_PER_SECOND,
    [ENV.profileRateLimitOffers]: BENCH_RATE_LIMIT_PER_SECOND,
    [ENV.rateLimitLookups]: BENCH_RATE_LIMIT_PER_SECOND,
    [ENV.pairRingLimit]: BENCH_PAIR_RING_LIMIT,
  };
}
