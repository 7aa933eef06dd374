/**
 * Counts per complete call, measured: a few calls run one at a time, each on two fresh sockets
 * (connect, invite, answer, candidates, end, one keep-alive ping per socket, disconnect), and after
 * each phase the bench waits until nothing runs in the gateway and reads its meters. Billed
 * messages in are the frames the clients sent; billed messages out are the @connections posts the
 * handlers made; invocations and their durations come from the gateway's invoker; store units
 * from the DynamoDB meter (metered gateway only).
 */
import type { Dialect } from './dialects/dialect';
import type { RelayProcess } from './relays/relay-process';
import { emptyHopSamples, keepAlive, newCall, runCall, type CallPair, type CallStep } from './workload/call-script';
import { openPair } from './workload/rounds';
import { median } from './stats';
import { diffSnapshots, isQuiet, type ManagementSnapshot, type MeterSnapshot, type OperationTally } from './meters/snapshots';

export const COUNTED_PHASES = ['connect', 'invite', 'answer', 'candidates', 'end', 'keep-alive', 'disconnect'] as const;
export type CountedPhase = (typeof COUNTED_PHASES)[number];

export interface PhaseCounts {
  /** Frames the clients sent (API Gateway bills each, in 32 KB steps). */
  framesIn: number;
  billedIn: number;
  bytesIn: number;
  /** What the handlers posted to sockets (metered gateway; null elsewhere). */
  posts: ManagementSnapshot | null;
  /** Frames the clients received (must equal the delivered posts). */
  framesReceived: number;
  invocations: Record<string, number>;
  dynamodb: OperationTally[];
}

export interface PerCallMeasurement {
  calls: number;
  completed: number;
  /** Totals over all calls, by phase. */
  phases: Record<CountedPhase, PhaseCounts>;
  /** Every invocation's duration, by function. */
  durationsMs: Record<string, number[]>;
  callIds: string[];
  /** The ping answers that never came. */
  keepAliveLost: number;
}

const QUIET_POLL_MS = 5;
const QUIET_TIMEOUT_MS = 10_000;
const CALL_TIMEOUT_MS = 15_000;

const emptyPhase = (): PhaseCounts => ({
  framesIn: 0,
  billedIn: 0,
  bytesIn: 0,
  posts: null,
  framesReceived: 0,
  invocations: {},
  dynamodb: [],
});

/** Polls the meters until nothing runs and `until` holds; bounded. */
async function quietSnapshot(relay: RelayProcess, until: (snapshot: MeterSnapshot) => boolean = () => true): Promise<MeterSnapshot> {
  const deadline = performance.now() + QUIET_TIMEOUT_MS;
  for (;;) {
    const snapshot = await relay.snapshot();
    if (isQuiet(snapshot) && until(snapshot)) return snapshot;
    if (performance.now() > deadline) throw new Error(`the ${relay.kind} relay did not go quiet within ${QUIET_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
  }
}

function addTallies(into: OperationTally[], more: readonly OperationTally[]): void {
  for (const tally of more) {
    const same = into.find((known) => known.operation === tally.operation && known.table === tally.table && known.index === tally.index);
    if (!same) {
      into.push({ ...tally });
      continue;
    }
    same.requests += tally.requests;
    same.conditionFailures += tally.conditionFailures;
    same.readUnits += tally.readUnits;
    same.writeUnits += tally.writeUnits;
    same.indexWriteUnits += tally.indexWriteUnits;
  }
}

function addPosts(into: ManagementSnapshot | null, more: ManagementSnapshot | null): ManagementSnapshot | null {
  if (!more) return into;
  if (!into) return { ...more, inFlight: 0 };
  return {
    inFlight: 0,
    posts: into.posts + more.posts,
    delivered: into.delivered + more.delivered,
    gone: into.gone + more.gone,
    billedMessages: into.billedMessages + more.billedMessages,
    bytes: into.bytes + more.bytes,
    otherRequests: into.otherRequests + more.otherRequests,
  };
}

interface ClientCounters {
  framesIn: number;
  billedIn: number;
  bytesIn: number;
  framesReceived: number;
}

const countersOf = (pair: CallPair): ClientCounters => ({
  framesIn: pair.caller.framesSent + pair.callee.framesSent,
  billedIn: pair.caller.billedSent + pair.callee.billedSent,
  bytesIn: pair.caller.bytesSent + pair.callee.bytesSent,
  framesReceived: pair.caller.framesReceived + pair.callee.framesReceived,
});

export async function measurePerCall(
  relay: RelayProcess,
  dialect: Dialect,
  calls: number,
  firstProfileId: number,
): Promise<PerCallMeasurement> {
  const phases = Object.fromEntries(COUNTED_PHASES.map((phase) => [phase, emptyPhase()])) as Record<CountedPhase, PhaseCounts>;
  const callIds: string[] = [];
  let completed = 0;
  let keepAliveLost = 0;
  const start = await quietSnapshot(relay);

  for (let index = 0; index < calls; index++) {
    let last = await quietSnapshot(relay);
    let lastClients: ClientCounters = { framesIn: 0, billedIn: 0, bytesIn: 0, framesReceived: 0 };
    let pair: CallPair | undefined;
    const record = async (phase: CountedPhase, until?: (snapshot: MeterSnapshot) => boolean): Promise<void> => {
      const now = await quietSnapshot(relay, until);
      const diff = diffSnapshots(now, last);
      const clients = pair ? countersOf(pair) : lastClients;
      const into = phases[phase];
      into.framesIn += clients.framesIn - lastClients.framesIn;
      into.billedIn += clients.billedIn - lastClients.billedIn;
      into.bytesIn += clients.bytesIn - lastClients.bytesIn;
      into.framesReceived += clients.framesReceived - lastClients.framesReceived;
      into.posts = addPosts(into.posts, diff.management);
      for (const [id, fn] of Object.entries(diff.invocations.byFunction)) into.invocations[id] = (into.invocations[id] ?? 0) + fn.count;
      addTallies(into.dynamodb, diff.dynamodb?.operations ?? []);
      last = now;
      lastClients = clients;
    };

    pair = await openPair(dialect, index, firstProfileId);
    await record('connect');
    const call = newCall(`count${index}`, pair);
    const outcome = await runCall(dialect, pair, call, emptyHopSamples(), {
      deadline: performance.now() + CALL_TIMEOUT_MS,
      afterStep: (step: CallStep) => record(step),
    });
    if (outcome.completed) completed++;
    if (call.callId) callIds.push(call.callId);
    const pingDeadline = performance.now() + CALL_TIMEOUT_MS;
    const pongs = await Promise.all([
      keepAlive(dialect, pair.caller, 2 * index, pingDeadline),
      keepAlive(dialect, pair.callee, 2 * index + 1, pingDeadline),
    ]);
    keepAliveLost += pongs.filter((arrived) => !arrived).length;
    await record('keep-alive');
    const disconnectsBefore = last.invocations.byFunction.disconnect?.count ?? 0;
    await Promise.all([pair.caller.close(), pair.callee.close()]);
    await record('disconnect', (snapshot) => (snapshot.invocations.byFunction.disconnect?.count ?? 0) >= disconnectsBefore + 2);
  }

  const end = await relay.snapshot(true);
  const durationsMs = Object.fromEntries(
    Object.entries(diffSnapshots(end, start).invocations.byFunction).map(([id, fn]) => [id, fn.durationsMs]),
  );
  return { calls, completed, phases, durationsMs, callIds, keepAliveLost };
}

/** One phase of a call, per call. */
export interface PhasePerCall {
  phase: CountedPhase;
  billedIn: number;
  billedOut: number;
  invocations: number;
  storeRequests: number;
  readUnits: number;
  writeUnits: number;
  indexWriteUnits: number;
}

/** Everything counted, per complete call. */
export interface PerCallSummary {
  calls: number;
  completed: number;
  /** Billed WebSocket messages: the signaling, and the keep-alive of a 5-minute call. */
  billedMessages: { signalingIn: number; signalingOut: number; keepAliveIn: number; keepAliveOut: number; total: number };
  /** The handlers' delivered posts equal the frames the clients received (the meter misses nothing). */
  postsMatchFramesReceived: boolean;
  invocations: Record<string, number>;
  invocationsTotal: number;
  /** The timed gateway (no meters) invoked the same functions as often: the meters change nothing. */
  invocationsAgreeAcrossGateways: boolean;
  /** Median duration per function, from the timed gateway (no meters in its path). */
  durationMedianMs: Record<string, number>;
  storeRequests: number;
  posts: number;
  readUnits: number;
  /** Table writes plus index writes. */
  writeUnits: number;
  tableWriteUnits: number;
  indexWriteUnits: number;
  /** Read units the candidate batches cost, per batch. */
  readUnitsPerCandidateBatch: number;
  candidateBatches: number;
  phases: PhasePerCall[];
  operations: OperationTally[];
}

const SIGNALING: readonly CountedPhase[] = ['invite', 'answer', 'candidates', 'end'];

export function summarizePerCall(metered: PerCallMeasurement, timed: PerCallMeasurement): PerCallSummary {
  const per = (value: number): number => value / metered.calls;
  const phases: PhasePerCall[] = COUNTED_PHASES.map((phase) => {
    const counts = metered.phases[phase];
    return {
      phase,
      billedIn: per(counts.billedIn),
      billedOut: per(counts.posts?.billedMessages ?? 0),
      invocations: per(Object.values(counts.invocations).reduce((sum, count) => sum + count, 0)),
      storeRequests: per(counts.dynamodb.reduce((sum, tally) => sum + tally.requests, 0)),
      readUnits: per(counts.dynamodb.reduce((sum, tally) => sum + tally.readUnits, 0)),
      writeUnits: per(counts.dynamodb.reduce((sum, tally) => sum + tally.writeUnits, 0)),
      indexWriteUnits: per(counts.dynamodb.reduce((sum, tally) => sum + tally.indexWriteUnits, 0)),
    };
  });
  const sum = (pick: (phase: PhasePerCall) => number, which: readonly CountedPhase[] = COUNTED_PHASES): number =>
    phases.filter((phase) => which.includes(phase.phase)).reduce((total, phase) => total + pick(phase), 0);

  const invocations: Record<string, number> = {};
  const operations: OperationTally[] = [];
  let delivered = 0;
  let framesReceived = 0;
  let posts = 0;
  for (const phase of COUNTED_PHASES) {
    const counts = metered.phases[phase];
    for (const [id, count] of Object.entries(counts.invocations)) invocations[id] = (invocations[id] ?? 0) + per(count);
    addTallies(operations, counts.dynamodb);
    delivered += counts.posts?.delivered ?? 0;
    posts += counts.posts?.posts ?? 0;
    framesReceived += counts.framesReceived;
  }
  const timedInvocations: Record<string, number> = {};
  for (const phase of COUNTED_PHASES) {
    for (const [id, count] of Object.entries(timed.phases[phase].invocations))
      timedInvocations[id] = (timedInvocations[id] ?? 0) + count / timed.calls;
  }
  const functionIds = new Set([...Object.keys(invocations), ...Object.keys(timedInvocations)]);
  const invocationsAgree = [...functionIds].every((id) => Math.abs((invocations[id] ?? 0) - (timedInvocations[id] ?? 0)) < 1e-9);
  const candidateBatches = per(metered.phases.candidates.framesIn);
  const tableWriteUnits = sum((phase) => phase.writeUnits);
  const indexWriteUnits = sum((phase) => phase.indexWriteUnits);
  const signalingIn = sum((phase) => phase.billedIn, SIGNALING);
  const signalingOut = sum((phase) => phase.billedOut, SIGNALING);
  const keepAliveIn = sum((phase) => phase.billedIn, ['keep-alive']);
  const keepAliveOut = sum((phase) => phase.billedOut, ['keep-alive']);
  return {
    calls: metered.calls,
    completed: metered.completed,
    billedMessages: { signalingIn, signalingOut, keepAliveIn, keepAliveOut, total: sum((phase) => phase.billedIn + phase.billedOut) },
    postsMatchFramesReceived: delivered === framesReceived,
    invocations,
    invocationsTotal: Object.values(invocations).reduce((total, count) => total + count, 0),
    invocationsAgreeAcrossGateways: invocationsAgree,
    durationMedianMs: Object.fromEntries(Object.entries(timed.durationsMs).map(([id, durations]) => [id, median(durations)])),
    storeRequests: sum((phase) => phase.storeRequests),
    posts: per(posts),
    readUnits: sum((phase) => phase.readUnits),
    writeUnits: tableWriteUnits + indexWriteUnits,
    tableWriteUnits,
    indexWriteUnits,
    readUnitsPerCandidateBatch:
      candidateBatches > 0 ? phases.find((phase) => phase.phase === 'candidates')!.readUnits / candidateBatches : 0,
    candidateBatches,
    phases,
    operations: operations.map((tally) => ({
      ...tally,
      requests: per(tally.requests),
      conditionFailures: per(tally.conditionFailures),
      readUnits: per(tally.readUnits),
      writeUnits: per(tally.writeUnits),
      indexWriteUnits: per(tally.indexWriteUnits),
    })),
  };
}
