/**
 * The soak: one local gateway in its own process (the real handlers, the store in memory), many
 * sockets, and many calls in flight at once, then proof that nothing was lost or misrouted and
 * that the store holds every call's log, final. It reuses the bench's relay process, dialect, call
 * script and statistics; what it adds is the scale, the idle sockets, and the audits.
 *
 * Everything it starts it stops, whether it passes, fails, throws or is aborted.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { loadTestGatewayEnvironment } from '../bench/config';
import { gatewayDialect } from '../bench/dialects/gateway-dialect';
import { residentBytes } from '../bench/meters/process-memory';
import { diffInvocations, type InvocationSnapshot } from '../bench/meters/snapshots';
import { startRelayProcess, type RelayProcess } from '../bench/relays/relay-process';
import type { BenchSocket } from '../bench/workload/bench-socket';
import { HOP_KINDS, type CallPair, type HopKind } from '../bench/workload/call-script';
import { closePairs, openPairs, runRound } from '../bench/workload/rounds';
import { judgeSoak, type SoakCheck } from './checks';
import { defaultDeadlines, type SoakDeadlines, type SoakSize } from './config';
import { auditDeliveries, auditedCallSockets, type DeliveryAudit } from './delivery-audit';
import { summarizeStderr } from './gateway-stderr';
import { keepIdleSocketsAlive, openIdleSockets, pingEvery, type IdleSocket } from './idle-sockets';
import { summarizeHop, type HopLatency } from './latency';
import { storeAudit, type CallLogAudit } from './store-audit';

export interface SoakOptions extends SoakSize, Partial<SoakDeadlines> {
  /** Aborting stops the run where it is, stops everything, and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Progress lines (the figures are in the result). */
  log?: (line: string) => void;
}

export interface SoakResult {
  size: SoakSize;
  deadlines: SoakDeadlines;
  startedAt: string;
  machine: { cpu: string; cores: number; node: string; loadAverageAtStart: number; loadAverageAtEnd: number };
  sockets: { opened: number; inCalls: number; idle: number; openMs: number; openedPerSecond: number };
  calls: { placed: number; completed: number; wallMs: number; completedPerSecond: number };
  messages: {
    /** Call messages (invite, answer, candidate batches, hang-up) that reached the other party. */
    forwarded: number;
    /** Call messages waited for that never came. */
    lost: number;
    forwardedPerSecond: number;
    /** Every frame into and out of the gateway during the calls (pings and pongs too), per second. */
    framesPerSecond: number;
  };
  /** Each hop kind's latency, from the sender's send to the receiver's arrival. */
  hops: Record<HopKind, HopLatency>;
  keepAlive: { pings: number; pongs: number; roundTrip: HopLatency; idleAnsweringAtEnd: number };
  deliveries: DeliveryAudit;
  refusals: string[];
  callLogs: CallLogAudit;
  socketRecordsLeft: number;
  /** Handler invocations (authorizer, `$connect`, routes, `$disconnect`, sweeper) over the whole run. */
  invocations: {
    total: number;
    /** Ended in an error or a timeout. */
    failed: number;
    /** By function, those that failed. */
    failedByFunction: Record<string, number>;
    /** Invocations while the calls ran, per second. */
    perSecondDuringCalls: number;
  };
  /** The end of the gateway's stderr (handler failures, SDK warnings), one summary per line, for diagnosis. */
  gatewayStderr: string[];
  memory: { gatewayRssAtStartBytes: number | null; gatewayPeakRssBytes: number | null; clientPeakRssBytes: number };
  wallMs: number;
  checks: SoakCheck[];
  passed: boolean;
}

/** Profile ids: students call tutors from 1 up; idle parents from here up. */
const CALL_FIRST_ID = 1;
const IDLE_FIRST_ID = 1_000_000;
/** As `npm start` runs the scheduled sweeper (ring timeouts, resume grace): every second. */
const SWEEP_INTERVAL_MS = 1_000;
/** How long every `$disconnect` may take to remove its socket's record after the sockets close. */
const DISCONNECT_SETTLE_MS = 30_000;

/** `work`, unless `signal` aborts first: then its reason. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const invocationCount = (snapshot: InvocationSnapshot): number =>
  Object.values(snapshot.byFunction).reduce((sum, entry) => sum + entry.count, 0);

const framesThrough = (sockets: readonly BenchSocket[]): number =>
  sockets.reduce((sum, socket) => sum + socket.framesSent + socket.framesReceived, 0);
const perSecond = (count: number, ms: number): number => (ms > 0 ? count / (ms / 1000) : Number.NaN);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const size: SoakSize = { sockets: options.sockets, calls: options.calls };
  if (!Number.isInteger(size.calls) || size.calls < 1) throw new Error(`calls must be a positive whole number, got ${size.calls}`);
  if (!Number.isInteger(size.sockets) || size.sockets < 2 * size.calls) {
    throw new Error(`${size.calls} calls need ${2 * size.calls} sockets (a caller and a callee each), got ${size.sockets}`);
  }
  const defaults = defaultDeadlines(size);
  const deadlines: SoakDeadlines = {
    callTimeoutMs: options.callTimeoutMs ?? defaults.callTimeoutMs,
    pingIntervalMs: options.pingIntervalMs ?? defaults.pingIntervalMs,
    pongTimeoutMs: options.pongTimeoutMs ?? defaults.pongTimeoutMs,
    settleTimeoutMs: options.settleTimeoutMs ?? defaults.settleTimeoutMs,
  };
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  const runStart = performance.now();
  const loadAverageAtStart = loadavg()[0] ?? Number.NaN;
  const secret = randomBytes(32).toString('hex');

  // What is running, for the cleanup in `finally` whatever happened in between.
  let gatewayStarting: Promise<RelayProcess> | undefined;
  let pairs: CallPair[] = [];
  let idle: IdleSocket[] = [];
  let audit: ReturnType<typeof storeAudit> | undefined;

  const run = async (): Promise<SoakResult> => {
    log('Starting the gateway process ...');
    gatewayStarting = startRelayProcess('gateway', { env: loadTestGatewayEnvironment(secret), sweepIntervalMs: SWEEP_INTERVAL_MS });
    const gateway = await gatewayStarting;
    if (!gateway.storeEndpoint) throw new Error('the gateway process reported no store endpoint');
    const gatewayPid = gateway.pid;
    const gatewayRssAtStartBytes = (await residentBytes(gatewayPid)) ?? null;
    audit = storeAudit(gateway.storeEndpoint);
    const dialect = gatewayDialect(gateway.port, secret);

    log(`Opening ${size.sockets} sockets (${2 * size.calls} for calls, ${size.sockets - 2 * size.calls} idle) ...`);
    const openStart = performance.now();
    pairs = await openPairs(dialect, size.calls, CALL_FIRST_ID);
    idle = await openIdleSockets(dialect, size.sockets - 2 * size.calls, IDLE_FIRST_ID);
    const openMs = performance.now() - openStart;
    log(`  open in ${seconds(openMs)}`);

    const callSockets = pairs.flatMap((pair) => [pair.caller, pair.callee]);
    const allSockets = [...callSockets, ...idle.map((entry) => entry.socket)];
    log(`Placing ${size.calls} calls at once (each must finish within ${seconds(deadlines.callTimeoutMs)}) ...`);
    const keepingAlive = keepIdleSocketsAlive(dialect, idle, {
      intervalMs: deadlines.pingIntervalMs,
      pongTimeoutMs: deadlines.pongTimeoutMs,
    });
    options.signal?.addEventListener('abort', () => void keepingAlive.stop(), { once: true });
    const framesBefore = framesThrough(allSockets);
    const invocationsBefore = await gateway.snapshot();
    const round = await runRound(dialect, pairs, {
      concurrency: size.calls,
      callsPerSlot: 1,
      callTimeoutMs: deadlines.callTimeoutMs,
    }).finally(() => keepingAlive.stop());
    const framesDuringCalls = framesThrough(allSockets) - framesBefore;
    const invocationsDuringCalls = invocationCount(diffInvocations((await gateway.snapshot()).invocations, invocationsBefore.invocations));
    const duringCalls = await keepingAlive.stop();
    log(`  ${round.completed}/${round.calls} calls in ${seconds(round.wallMs)}${round.lost ? `, ${round.lost} messages lost` : ''}`);

    log('Reading the call logs back from the store ...');
    const callLogs = await audit.callLogs(size.calls, deadlines.settleTimeoutMs);
    log('Pinging every idle socket once more ...');
    const atEnd = await pingEvery(dialect, idle, deadlines.pongTimeoutMs);
    // Read after the last ping round, so anything that was still on its way has arrived.
    const deliveries = auditDeliveries(
      auditedCallSockets(dialect, pairs, round.placed),
      idle.map((entry) => ({ label: entry.party.id, socket: entry.socket, ownTags: new Set<string>() })),
    );
    const refusals = [...round.errors, ...idle.flatMap((entry) => entry.socket.inbox.errors)];
    const gatewayPeakRssBytes = (await gateway.peakMemoryBytes()) ?? null;

    log('Closing the sockets ...');
    await closePairs(pairs);
    await Promise.all(idle.map((entry) => entry.socket.close()));
    const socketRecordsLeft = await audit.socketRecordsLeft(DISCONNECT_SETTLE_MS);
    // Read before the gateway stops: what shutdown does is not the run's.
    const invocations = (await gateway.snapshot()).invocations;
    const failedByFunction = Object.fromEntries(
      Object.entries(invocations.byFunction)
        .filter(([, entry]) => entry.failed > 0)
        .map(([id, entry]) => [id, entry.failed]),
    );
    const failedInvocations = Object.values(failedByFunction).reduce((sum, failed) => sum + failed, 0);
    const gatewayStderr = summarizeStderr(gateway.stderrTail());

    const pongs = duringCalls.pongs + atEnd.pongs;
    const pings = duringCalls.pings + atEnd.pings;
    const roundTrip = summarizeHop([...duringCalls.roundTripsMs, ...atEnd.roundTripsMs]);
    const hops = Object.fromEntries(HOP_KINDS.map((kind) => [kind, summarizeHop(round.hops[kind])])) as Record<HopKind, HopLatency>;
    const checks = judgeSoak({
      size,
      round,
      pings,
      pongs,
      idleSockets: idle.length,
      idleAnsweringAtEnd: atEnd.pongs,
      deliveries,
      refusals,
      callLogs,
      latencies: [...HOP_KINDS.map((kind) => ({ name: kind, summary: hops[kind] })), { name: 'ping round trip', summary: roundTrip }],
      invocationsTotal: invocationCount(invocations),
      failedByFunction,
      socketRecordsLeft,
    });

    return {
      size,
      deadlines,
      startedAt: startedAt.toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        loadAverageAtStart,
        loadAverageAtEnd: loadavg()[0] ?? Number.NaN,
      },
      sockets: {
        opened: allSockets.length,
        inCalls: callSockets.length,
        idle: idle.length,
        openMs,
        openedPerSecond: perSecond(allSockets.length, openMs),
      },
      calls: {
        placed: round.calls,
        completed: round.completed,
        wallMs: round.wallMs,
        completedPerSecond: perSecond(round.completed, round.wallMs),
      },
      messages: {
        forwarded: round.delivered,
        lost: round.lost,
        forwardedPerSecond: perSecond(round.delivered, round.wallMs),
        framesPerSecond: perSecond(framesDuringCalls, round.wallMs),
      },
      hops,
      keepAlive: {
        pings,
        pongs,
        roundTrip,
        idleAnsweringAtEnd: atEnd.pongs,
      },
      deliveries,
      refusals,
      callLogs,
      socketRecordsLeft,
      invocations: {
        total: invocationCount(invocations),
        failed: failedInvocations,
        failedByFunction,
        perSecondDuringCalls: perSecond(invocationsDuringCalls, round.wallMs),
      },
      gatewayStderr,
      memory: { gatewayRssAtStartBytes, gatewayPeakRssBytes, clientPeakRssBytes: process.resourceUsage().maxRSS * 1024 },
      wallMs: performance.now() - runStart,
      checks,
      passed: checks.every((check) => check.passed),
    };
  };

  try {
    return await unlessAborted(run(), options.signal);
  } finally {
    // Sockets first, so each `$disconnect` still finds the store; then the gateway (it closes any
    // socket opened after this list was taken).
    await closePairs(pairs).catch(() => undefined);
    await Promise.all(idle.map((entry) => entry.socket.close().catch(() => undefined)));
    audit?.close();
    // Awaited even when aborted mid-start (bounded by the start timeout), so no gateway outlives the run.
    await gatewayStarting?.then((gateway) => gateway.stop()).catch(() => undefined);
  }
}
