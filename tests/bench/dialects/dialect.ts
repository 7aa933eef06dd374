/**
 * How one relay's clients say the same call: the workload is one script (invite, answer,
 * candidates, end), and a dialect turns each step into that relay's frames and reads its
 * messages back. Each side speaks as that relay's own client would (PeerJS sends candidates one
 * by one; this project's web client batches them).
 */
import type { BenchSocket } from '../workload/bench-socket';
import type { Inbound } from '../workload/inbox';
import type { Candidate, Side } from '../workload/session-content';

export type RelayName = 'bare' | 'peerjs' | 'gateway';

export const RELAY_LABELS: Record<RelayName, string> = {
  bare: 'bare ws relay',
  peerjs: 'PeerJS server',
  gateway: 'this project',
};

/** A party of a call: a profile on the gateway, a peer id elsewhere. */
export interface Party {
  profileType: string;
  profileId: number;
  /** The address on relays that route by id. */
  id: string;
}

/** One call as the script runs it; `callId` is filled in from the relay's messages where it has one. */
export interface CallState {
  tag: string;
  caller: Party;
  callee: Party;
  offerSdp: string;
  answerSdp: string;
  candidates: Record<Side, Candidate[][]>;
  callId: string | undefined;
}

export interface OutboundFrame {
  frame: string;
  /** What the receiving side will read back as `Inbound.tag`. */
  tag: string;
}

/** A message the script waits for besides the forwarded ones (the gateway's `call_ringing`). */
export interface ExpectedExtra {
  side: Side;
  tag: string;
}

export interface Dialect {
  readonly relay: RelayName;
  connect(party: Party): Promise<BenchSocket>;
  classify(message: unknown): Inbound | undefined;
  invite(call: CallState): OutboundFrame;
  answer(call: CallState): OutboundFrame;
  /** One side's frames for one burst of its candidates (`burst` indexes `call.candidates[from]`), as its client sends them. */
  candidates(call: CallState, from: Side, burst: number): OutboundFrame[];
  /** One candidate alone, in the relay's single-candidate frame (the burst workload sends these). */
  candidate(call: CallState, from: Side, candidate: Candidate): OutboundFrame;
  end(call: CallState): OutboundFrame;
  /** Takes what the relay told the receiver of an invite or answer (the call id). */
  learn(call: CallState, inbound: Inbound): void;
  extras(call: CallState): ExpectedExtra[];
  /** A keep-alive ping and the tag of its answer, where the relay answers one. */
  ping?(sequence: number): OutboundFrame;
  /** Best effort to leave no call open after a lost message (so the next call is not refused busy). */
  abandon(call: CallState, caller: BenchSocket, callee: BenchSocket): void;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const stringField = (value: unknown, field: string): string | undefined => {
  if (!isRecord(value)) return undefined;
  const found = value[field];
  return typeof found === 'string' ? found : undefined;
};
