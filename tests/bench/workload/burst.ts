/**
 * The burst: `calls` calls set up (untimed), then every side of every call sends its ICE candidates
 * all at once, one message per candidate as PeerJS's client sends them, with no wait between
 * sends. Each hop is timed from the sender's `send` to the receiver's arrival on one clock. The
 * calls are then ended and each end waited for, so the next burst starts with no call open.
 */
import type { CallState, Dialect, RelayName } from '../dialects/dialect';
import type { BenchSocket } from './bench-socket';
import type { CallPair } from './call-script';
import { newCall } from './call-script';
import type { Candidate, Side } from './session-content';

export interface BurstSpec {
  calls: number;
  candidatesPerSide: number;
  /** Setup, the burst and the ends each must finish within this. */
  timeoutMs: number;
}

export interface BurstResult {
  relay: RelayName;
  calls: number;
  /** Candidate messages sent. */
  messages: number;
  delivered: number;
  lost: number;
  /** From the first send to the last arrival. */
  wallMs: number;
  forwardedPerSecond: number;
  hopsMs: number[];
}

/** Told when the burst's first send goes out and when its last message arrived (a profile's window). */
export interface BurstHooks {
  started?(): void;
  finished?(): void;
}

/** The issue's figure: 50 calls × 40 candidates (20 a side), 2,000 messages at once. */
export const ISSUE_BURST: BurstSpec = { calls: 50, candidatesPerSide: 20, timeoutMs: 60_000 };

const SIDES: readonly Side[] = ['caller', 'callee'];

let burstSequence = 0;

/** Candidate `index` of one side: a host candidate whose `ufrag` is its tag (`session-content.ts`' `candidateTagOf`). */
export function burstCandidate(callTag: string, side: Side, index: number): Candidate {
  const octet = side === 'caller' ? 20 : 30;
  const tag = `${callTag}-${side === 'caller' ? 'a' : 'b'}${index}`;
  return {
    candidate: `candidate:${1_467_250_027 + index} 1 udp 2122260223 192.168.1.${octet} ${50_000 + index} typ host generation 0 ufrag ${tag} network-id 1 network-cost 10`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}

export interface PlacedCall {
  pair: CallPair;
  call: CallState;
}

const socketOf = (pair: CallPair, side: Side): BenchSocket => (side === 'caller' ? pair.caller : pair.callee);
const otherSide = (side: Side): Side => (side === 'caller' ? 'callee' : 'caller');

/** Invite and answer for every call, all at once; the calls that came up (their ids learnt). */
export async function setUpCalls(dialect: Dialect, placed: readonly PlacedCall[], deadline: number): Promise<PlacedCall[]> {
  const up = await Promise.all(
    placed.map(async (entry) => {
      const { pair, call } = entry;
      const invite = dialect.invite(call);
      pair.caller.send(invite.frame);
      const invited = await pair.callee.inbox.wait(invite.tag, deadline);
      if (!invited) return undefined;
      dialect.learn(call, invited.inbound);
      const answer = dialect.answer(call);
      pair.callee.send(answer.frame);
      const answered = await pair.caller.inbox.wait(answer.tag, deadline);
      if (!answered) return undefined;
      dialect.learn(call, answered.inbound);
      // What the relay sends besides (the gateway's `call_ringing`) is claimed, so no inbox grows.
      for (const extra of dialect.extras(call)) await socketOf(pair, extra.side).inbox.wait(extra.tag, deadline);
      return entry;
    }),
  );
  for (const [index, entry] of up.entries())
    if (!entry) dialect.abandon(placed[index]!.call, placed[index]!.pair.caller, placed[index]!.pair.callee);
  return up.filter((entry): entry is PlacedCall => entry !== undefined);
}

/** Ends every call and waits for each end to arrive (a lost end is abandoned, so no call stays open). */
export async function endCalls(dialect: Dialect, calls: readonly PlacedCall[], deadline: number): Promise<void> {
  await Promise.all(
    calls.map(async ({ pair, call }) => {
      const end = dialect.end(call);
      pair.caller.send(end.frame);
      if (!(await pair.callee.inbox.wait(end.tag, deadline))) dialect.abandon(call, pair.caller, pair.callee);
    }),
  );
}

export async function runBurst(
  dialect: Dialect,
  pairs: readonly CallPair[],
  spec: BurstSpec,
  hooks: BurstHooks = {},
): Promise<BurstResult> {
  if (pairs.length < spec.calls) throw new Error(`a burst of ${spec.calls} calls needs as many socket pairs, ${pairs.length} are open`);
  const placed = pairs
    .slice(0, spec.calls)
    .map((pair) => ({ pair, call: newCall(`${dialect.relay[0]}B${(++burstSequence).toString(36)}`, pair) }));
  const calls = await setUpCalls(dialect, placed, performance.now() + spec.timeoutMs);

  const hopsMs: number[] = [];
  const deadline = performance.now() + spec.timeoutMs;
  const arrivals: Promise<number | undefined>[] = [];
  hooks.started?.();
  const started = performance.now();
  // Candidate k of every side of every call, then k + 1: the calls' bursts interleave as they would.
  for (let index = 0; index < spec.candidatesPerSide; index++) {
    for (const { pair, call } of calls) {
      for (const side of SIDES) {
        const out = dialect.candidate(call, side, burstCandidate(call.tag, side, index));
        const sentAt = socketOf(pair, side).send(out.frame);
        arrivals.push(
          socketOf(pair, otherSide(side))
            .inbox.wait(out.tag, deadline)
            .then((arrival) => {
              if (!arrival) return undefined;
              hopsMs.push(arrival.at - sentAt);
              return arrival.at;
            }),
        );
      }
    }
  }
  const arrivedAt = await Promise.all(arrivals);
  hooks.finished?.();
  const lastArrival = arrivedAt.reduce<number>((last, at) => (at !== undefined && at > last ? at : last), started);
  const wallMs = lastArrival - started;

  await endCalls(dialect, calls, performance.now() + spec.timeoutMs);
  const messages = spec.calls * 2 * spec.candidatesPerSide;
  const delivered = hopsMs.length;
  return {
    relay: dialect.relay,
    calls: calls.length,
    messages,
    delivered,
    lost: messages - delivered,
    wallMs,
    forwardedPerSecond: wallMs > 0 ? (delivered / wallMs) * 1000 : 0,
    hopsMs,
  };
}
