/**
 * A round: `concurrency` calls in flight at once on one relay, each slot running its calls back to
 * back over its own pair of sockets (opened once, before any round). Reports every hop, what
 * arrived and what was lost, and the round's wall time.
 */
import type { CallState, Dialect, Party, RelayName } from '../dialects/dialect';
import { emptyHopSamples, newCall, runCall, type CallOutcome, type CallPair, type HopSamples } from './call-script';

export interface RoundSpec {
  concurrency: number;
  callsPerSlot: number;
  /** Every message of a call must arrive within this of the call's start. */
  callTimeoutMs: number;
}

export interface RoundResult {
  relay: RelayName;
  concurrency: number;
  hops: HopSamples;
  calls: number;
  completed: number;
  /** Forwarded messages that arrived. */
  delivered: number;
  lost: number;
  /** Refusals the relay sent to the clients during the round. */
  errors: string[];
  wallMs: number;
  /** Every call as the script left it, with the index of the pair (in `pairs`) that placed it. */
  placed: { pairIndex: number; call: CallState }[];
}

/** How many socket pairs open at once (the gateway runs the authorizer and `$connect` for each). */
export const OPEN_PARALLELISM = 16;

let callSequence = 0;
/** Unique across the run, so no arrival is ever mistaken for another call's. */
const nextCallTag = (relay: RelayName): string => `${relay[0]}${(++callSequence).toString(36)}`;

/** The parties of slot `slot`: a student calling a tutor (ids from `firstId`). */
export function partiesOf(slot: number, firstId: number): { caller: Party; callee: Party } {
  const id = firstId + slot;
  return {
    caller: { profileType: 'student', profileId: id, id: `student_${id}` },
    callee: { profileType: 'tutor', profileId: id, id: `tutor_${id}` },
  };
}

export async function openPair(dialect: Dialect, slot: number, firstId: number): Promise<CallPair> {
  const { caller, callee } = partiesOf(slot, firstId);
  const [callerSocket, calleeSocket] = await Promise.all([dialect.connect(caller), dialect.connect(callee)]);
  return { caller: callerSocket, callee: calleeSocket, callerParty: caller, calleeParty: callee };
}

export async function openPairs(dialect: Dialect, count: number, firstId: number): Promise<CallPair[]> {
  const pairs: CallPair[] = [];
  for (let start = 0; start < count; start += OPEN_PARALLELISM) {
    const batch = Array.from({ length: Math.min(OPEN_PARALLELISM, count - start) }, (_, offset) =>
      openPair(dialect, start + offset, firstId),
    );
    pairs.push(...(await Promise.all(batch)));
  }
  return pairs;
}

export async function closePairs(pairs: readonly CallPair[]): Promise<void> {
  await Promise.all(pairs.flatMap((pair) => [pair.caller.close(), pair.callee.close()]));
}

export async function runRound(dialect: Dialect, pairs: readonly CallPair[], spec: RoundSpec): Promise<RoundResult> {
  if (pairs.length < spec.concurrency)
    throw new Error(`${spec.concurrency} concurrent calls need as many socket pairs, ${pairs.length} are open`);
  const slots = pairs.slice(0, spec.concurrency);
  const hops = emptyHopSamples();
  const started = performance.now();
  const placed: RoundResult['placed'] = [];
  const outcomes = await Promise.all(
    slots.map(async (pair, pairIndex) => {
      const results: CallOutcome[] = [];
      for (let index = 0; index < spec.callsPerSlot; index++) {
        const call = newCall(nextCallTag(dialect.relay), pair);
        placed.push({ pairIndex, call });
        results.push(await runCall(dialect, pair, call, hops, { deadline: performance.now() + spec.callTimeoutMs }));
      }
      return results;
    }),
  );
  const wallMs = performance.now() - started;
  const flat = outcomes.flat();
  const errors = slots.flatMap((pair) => [...pair.caller.inbox.errors.splice(0), ...pair.callee.inbox.errors.splice(0)]);
  return {
    relay: dialect.relay,
    concurrency: spec.concurrency,
    hops,
    calls: flat.length,
    completed: flat.filter((outcome) => outcome.completed).length,
    delivered: flat.reduce((sum, outcome) => sum + outcome.delivered, 0),
    lost: flat.reduce((sum, outcome) => sum + outcome.lost, 0),
    errors,
    wallMs,
    placed,
  };
}
