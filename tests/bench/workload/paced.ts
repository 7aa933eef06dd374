/**
 * The unloaded hop: one call, its candidates one per message and paced under the candidate rate
 * limit (the two sides take turns, so each socket sends at half the pace), each waited for before
 * the next goes. What a single call's trickle feels like on an idle relay.
 */
import type { Dialect } from '../dialects/dialect';
import { burstCandidate, endCalls, setUpCalls } from './burst';
import { newCall, type CallPair } from './call-script';
import type { Side } from './session-content';

export interface PacedSpec {
  candidates: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface PacedRun {
  hopsMs: number[];
  lost: number;
  /** Whether the call came up (and so was placed and ended). */
  placed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runPaced(dialect: Dialect, pair: CallPair, spec: PacedSpec, tag: string): Promise<PacedRun> {
  const deadline = performance.now() + spec.timeoutMs + spec.candidates * spec.intervalMs;
  const call = newCall(tag, pair);
  if ((await setUpCalls(dialect, [{ pair, call }], deadline)).length === 0) return { hopsMs: [], lost: spec.candidates, placed: false };
  const hopsMs: number[] = [];
  let lost = 0;
  for (let index = 0; index < spec.candidates; index++) {
    const from: Side = index % 2 === 0 ? 'caller' : 'callee';
    const [sender, receiver] = from === 'caller' ? [pair.caller, pair.callee] : [pair.callee, pair.caller];
    const out = dialect.candidate(call, from, burstCandidate(call.tag, from, index));
    const paceUntil = performance.now() + spec.intervalMs;
    const sentAt = sender.send(out.frame);
    const arrival = await receiver.inbox.wait(out.tag, deadline);
    if (arrival) hopsMs.push(arrival.at - sentAt);
    else lost++;
    await sleep(Math.max(0, paceUntil - performance.now()));
  }
  await endCalls(dialect, [{ pair, call }], deadline);
  return { hopsMs, lost, placed: true };
}
