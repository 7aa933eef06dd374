/**
 * One call's signaling, the same script on every relay: the caller invites (offer), the callee
 * answers, both send their candidates, the caller hangs up. Each forwarded message is timed from
 * the sender's `send` to the receiver's arrival (same process, same clock): one hop through the
 * relay. A message that does not arrive by the deadline is lost and ends the call there.
 */
import type { BenchSocket } from './bench-socket';
import type { CallState, Dialect, OutboundFrame, Party } from '../dialects/dialect';
import { ANSWER_SDP_BYTES, candidateBursts, OFFER_SDP_BYTES, sessionDescription, type Side } from './session-content';

export const HOP_KINDS = ['invite', 'answer', 'candidate', 'end'] as const;
export type HopKind = (typeof HOP_KINDS)[number];
export type HopSamples = Record<HopKind, number[]>;

export const emptyHopSamples = (): HopSamples => ({ invite: [], answer: [], candidate: [], end: [] });

export type CallStep = 'invite' | 'answer' | 'candidates' | 'end';

export interface CallPair {
  caller: BenchSocket;
  callee: BenchSocket;
  callerParty: Party;
  calleeParty: Party;
}

export interface CallOptions {
  /** `performance.now()` time by which every message of the call must have arrived. */
  deadline: number;
  /** Runs after each step's messages arrived (the counting phase waits there for the relay to go quiet). */
  afterStep?: (step: CallStep) => Promise<void>;
}

export interface CallOutcome {
  completed: boolean;
  /** Forwarded messages that arrived. */
  delivered: number;
  /** Messages waited for that never came. */
  lost: number;
  failedAt: CallStep | 'extras' | null;
}

export function newCall(tag: string, pair: CallPair): CallState {
  return {
    tag,
    caller: pair.callerParty,
    callee: pair.calleeParty,
    offerSdp: sessionDescription('offer', `${tag}.offer`, OFFER_SDP_BYTES),
    answerSdp: sessionDescription('answer', `${tag}.answer`, ANSWER_SDP_BYTES),
    candidates: { caller: candidateBursts(tag, 'caller'), callee: candidateBursts(tag, 'callee') },
    callId: undefined,
  };
}

export async function runCall(
  dialect: Dialect,
  pair: CallPair,
  call: CallState,
  hops: HopSamples,
  options: CallOptions,
): Promise<CallOutcome> {
  const socketOf = (side: Side): BenchSocket => (side === 'caller' ? pair.caller : pair.callee);
  let delivered = 0;

  /** Sends frames and waits for all of them on the other side; the number that never came. */
  const forward = async (kind: HopKind, sends: readonly { from: Side; out: OutboundFrame }[]): Promise<number> => {
    const timed = sends.map(({ from, out }) => ({ from, out, sentAt: socketOf(from).send(out.frame) }));
    const arrivals = await Promise.all(
      timed.map(async ({ from, out, sentAt }) => {
        const arrival = await socketOf(from === 'caller' ? 'callee' : 'caller').inbox.wait(out.tag, options.deadline);
        if (!arrival) return false;
        hops[kind].push(arrival.at - sentAt);
        delivered++;
        dialect.learn(call, arrival.inbound);
        return true;
      }),
    );
    return arrivals.filter((arrived) => !arrived).length;
  };

  const fail = (step: CallOutcome['failedAt'], lost: number): CallOutcome => {
    dialect.abandon(call, pair.caller, pair.callee);
    return { completed: false, delivered, lost, failedAt: step };
  };

  const candidateBursts = Math.max(call.candidates.caller.length, call.candidates.callee.length);
  const both = (burst: number): { from: Side; out: OutboundFrame }[] => [
    ...dialect.candidates(call, 'caller', burst).map((out) => ({ from: 'caller' as const, out })),
    ...dialect.candidates(call, 'callee', burst).map((out) => ({ from: 'callee' as const, out })),
  ];
  const steps: readonly { step: CallStep; kind: HopKind; sends: (() => { from: Side; out: OutboundFrame }[])[] }[] = [
    { step: 'invite', kind: 'invite', sends: [() => [{ from: 'caller', out: dialect.invite(call) }]] },
    { step: 'answer', kind: 'answer', sends: [() => [{ from: 'callee', out: dialect.answer(call) }]] },
    // Both sides at once, burst after burst: a later burst comes after a STUN/TURN round trip, by
    // when the earlier one has long arrived.
    { step: 'candidates', kind: 'candidate', sends: Array.from({ length: candidateBursts }, (_, burst) => () => both(burst)) },
    { step: 'end', kind: 'end', sends: [() => [{ from: 'caller', out: dialect.end(call) }]] },
  ];
  for (const { step, kind, sends } of steps) {
    for (const wave of sends) {
      const lost = await forward(kind, wave());
      if (lost > 0) return fail(step, lost);
    }
    await options.afterStep?.(step);
  }

  // What the relay sends besides the forwarded messages (the caller's `call_ringing`) must have come too.
  let lostExtras = 0;
  for (const extra of dialect.extras(call)) {
    if (!(await socketOf(extra.side).inbox.wait(extra.tag, options.deadline))) lostExtras++;
  }
  if (lostExtras > 0) return fail('extras', lostExtras);
  return { completed: true, delivered, lost: 0, failedAt: null };
}

/** One keep-alive round trip from `socket` (ping and its answer); false when none came. */
export async function keepAlive(dialect: Dialect, socket: BenchSocket, sequence: number, deadline: number): Promise<boolean> {
  if (!dialect.ping) return true;
  const out = dialect.ping(sequence);
  socket.send(out.frame);
  return (await socket.inbox.wait(out.tag, deadline)) !== undefined;
}
