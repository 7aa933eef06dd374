/**
 * The whole bench, in one run on one machine: what needs no load first (Lambda settings, cold
 * starts, web client size), then the three relays side by side under the same call workload
 * (rounds alternated, warm-up dropped), then the per-call counts on a timed and a metered gateway.
 * Everything it starts it stops, whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { cpus, platform, arch } from 'node:os';
import { join } from 'node:path';
import { checkCallLogs } from './call-log-check';
import { measureLayouts, modelColdStarts } from './cold-start-layouts';
import { BENCH_RATE_LIMIT_PER_SECOND, loadTestGatewayEnvironment, type BenchConfig } from './config';
import { costModel } from './cost-model';
import { bareDialect } from './dialects/bare-dialect';
import type { Dialect, RelayName } from './dialects/dialect';
import { gatewayDialect } from './dialects/gateway-dialect';
import { peerJsDialect } from './dialects/peerjs-dialect';
import { readLambdaSettings, sweepIntervalMinutes } from './lambda-settings';
import { measurePerCall, summarizePerCall } from './per-call-counts';
import { PROJECT_ROOT, startRelayProcess, type RelayProcess } from './relays/relay-process';
import type { BenchResult, BurstLevelResult, HopRatio, PacedResult, RelayLevelResult } from './results';
import { runBurst } from './workload/burst';
import { runPaced } from './workload/paced';
import { ratio, summarize } from './stats';
import { judgeTargets } from './targets';
import { measureWebClient } from './web-client-size';
import { emptyHopSamples, HOP_KINDS, type CallPair } from './workload/call-script';
import { closePairs, openPairs, runRound, type RoundResult } from './workload/rounds';
import { ANSWER_SDP_BYTES, candidateBursts, OFFER_SDP_BYTES, sessionDescription } from './workload/session-content';

export interface BenchOptions {
  config: BenchConfig;
  /** Scratch space inside the project (bundles, web build); ignored by git. */
  workDir: string;
  log: (line: string) => void;
}

interface RelayUnderTest {
  name: RelayName;
  process: RelayProcess;
  dialect: Dialect;
  pairs: CallPair[];
}

/** A level's rounds added up: a round's figures, how many rounds, and the relay's memory peak. */
type LevelTotals = Pick<RoundResult, 'hops' | 'calls' | 'completed' | 'delivered' | 'lost' | 'errors' | 'wallMs'> & {
  rounds: number;
  peakMemoryBytes: number | null;
};

/** Profile ids per use, so no two phases share a profile's line. */
const ROUND_PROFILES = 1_000;
const TIMED_COUNT_PROFILES = 20_000;
const METERED_COUNT_PROFILES = 30_000;

const RELAY_ORDER: readonly RelayName[] = ['bare', 'peerjs', 'gateway'];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function runBenchmark({ config, workDir, log }: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const runStart = performance.now();
  const started: RelayProcess[] = [];
  const relays: RelayUnderTest[] = [];
  const secret = randomBytes(32).toString('hex');
  const sweepIntervalMs = sweepIntervalMinutes() * 60_000;
  // The relays boot once the bundling and building are done: on a loaded machine those would
  // starve a relay's start past its timeout. Nothing is measured until all of them are up and idle.
  let starting: Promise<PromiseSettledResult<RelayProcess>[]> | undefined;
  const startRelays = (): Promise<PromiseSettledResult<RelayProcess>[]> => {
    starting = Promise.allSettled([
      startRelayProcess('bare'),
      startRelayProcess('peerjs'),
      startRelayProcess('gateway', { env: loadTestGatewayEnvironment(secret), sweepIntervalMs }),
    ]).then((outcomes) => {
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') started.push(outcome.value);
      return outcomes;
    });
    return starting;
  };
  try {
    log('Lambda settings from the synthesized stack ...');
    const lambdaSettings = readLambdaSettings();

    log('Cold starts: bundling each handler and loading it in fresh processes ...');
    const coldStarts = await measureLayouts(PROJECT_ROOT, workDir, config.coldStart.functions, config.coldStart.runs);
    const coldStart = coldStarts.functions;

    log('Web client: building and gzipping ...');
    const webClient = await measureWebClient(PROJECT_ROOT, join(workDir, 'web-dist'));

    log('Relays: starting, then opening sockets ...');
    const up = (await startRelays()).map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    const [bare, peerjs, gateway] = up as [RelayProcess, RelayProcess, RelayProcess];
    const maxConcurrency = Math.max(...config.levels.map((level) => level.concurrency));
    for (const [name, relayProcess, dialect] of [
      ['bare', bare, bareDialect(bare.port)],
      ['peerjs', peerjs, peerJsDialect(peerjs.port)],
      ['gateway', gateway, gatewayDialect(gateway.port, secret)],
    ] as const) {
      const opening = performance.now();
      const pairs = await openPairs(dialect, maxConcurrency, ROUND_PROFILES);
      relays.push({ name, process: relayProcess, dialect, pairs });
      log(`  ${name}: ${pairs.length * 2} sockets open in ${seconds(performance.now() - opening)}`);
    }

    const levelResults: RelayLevelResult[] = [];
    let gatewayCallsCompleted = 0;
    for (const level of config.levels) {
      const totals = new Map<RelayName, LevelTotals>(
        RELAY_ORDER.map((name) => [
          name,
          {
            hops: emptyHopSamples(),
            rounds: 0,
            calls: 0,
            completed: 0,
            delivered: 0,
            lost: 0,
            errors: [],
            wallMs: 0,
            peakMemoryBytes: null,
          },
        ]),
      );
      const rounds = config.warmupRounds + config.measuredRounds;
      for (let round = 0; round < rounds; round++) {
        const measured = round >= config.warmupRounds;
        // Alternate who goes first, so no relay always runs on a machine warmed (or tired) by another.
        const order = RELAY_ORDER.map((_, index) => relays[(index + round) % relays.length]!);
        for (const relay of order) {
          const peakReset = measured && (await relay.process.resetPeakMemory());
          const result = await runRound(relay.dialect, relay.pairs, { ...level, callTimeoutMs: config.callTimeoutMs });
          if (relay.name === 'gateway') gatewayCallsCompleted += result.completed;
          log(
            `  ${String(level.concurrency).padStart(3)} in flight, round ${round + 1}/${rounds}${measured ? '' : ' (warm-up)'}, ${relay.name.padEnd(7)}: ` +
              `${result.completed}/${result.calls} calls in ${seconds(result.wallMs)}${result.lost ? `, ${result.lost} lost` : ''}`,
          );
          if (!measured) continue;
          const into = totals.get(relay.name)!;
          for (const kind of HOP_KINDS) into.hops[kind].push(...result.hops[kind]);
          into.rounds++;
          into.calls += result.calls;
          into.completed += result.completed;
          into.delivered += result.delivered;
          into.lost += result.lost;
          into.errors.push(...result.errors.slice(0, 10));
          into.wallMs += result.wallMs;
          const peak = peakReset ? await relay.process.peakMemoryBytes() : undefined;
          if (peak !== undefined) into.peakMemoryBytes = Math.max(into.peakMemoryBytes ?? 0, peak);
        }
      }
      for (const name of RELAY_ORDER) {
        const into = totals.get(name)!;
        levelResults.push({
          relay: name,
          concurrency: level.concurrency,
          rounds: into.rounds,
          hops: Object.fromEntries(HOP_KINDS.map((kind) => [kind, summarize(into.hops[kind])])) as RelayLevelResult['hops'],
          calls: into.calls,
          completed: into.completed,
          delivered: into.delivered,
          lost: into.lost,
          errors: into.errors,
          forwardedPerSecond: into.wallMs > 0 ? into.delivered / (into.wallMs / 1000) : Number.NaN,
          callsPerSecond: into.wallMs > 0 ? into.completed / (into.wallMs / 1000) : Number.NaN,
          peakMemoryBytes: into.peakMemoryBytes,
        });
      }
    }
    log('Paced candidates and the burst ...');
    const { paced, burst, gatewayCallsPlaced } = await runPacedAndBurst(relays, config);
    gatewayCallsCompleted += gatewayCallsPlaced;
    for (const relay of relays) await closePairs(relay.pairs);

    log('Per-call durations on the timed gateway ...');
    const gatewayUnderTest = relays.find((relay) => relay.name === 'gateway')!;
    const timed = await measurePerCall(gateway, gatewayUnderTest.dialect, config.countedCalls, TIMED_COUNT_PROFILES);
    const timedSweep = await gateway.sweep(config.sweeperRuns);
    const callLogs = await checkCallLogs(gateway.storeEndpoint ?? '', gatewayCallsCompleted + timed.completed);
    await Promise.all([bare.stop(), peerjs.stop(), gateway.stop()]);

    log('Per-call counts on the metered gateway ...');
    const metered = await startRelayProcess('gateway-metered', { env: loadTestGatewayEnvironment(secret), sweepIntervalMs });
    started.push(metered);
    const meteredCounts = await measurePerCall(metered, gatewayDialect(metered.port, secret), config.countedCalls, METERED_COUNT_PROFILES);
    const meteredSweep = await metered.sweep(config.sweeperRuns);
    await metered.stop();

    const perCall = summarizePerCall(meteredCounts, timed);
    const cost = costModel(perCall, lambdaSettings, { timed: timedSweep, metered: meteredSweep });
    const ratios = hopRatios(levelResults);
    const targets = judgeTargets({ ratios, paced, burst, perCall, cost, coldStart, webClient, callLogs });
    const sample = candidateBursts('x', 'caller');
    return {
      mode: config.mode,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((performance.now() - runStart) / 100) / 10,
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, platform: `${platform()} ${arch()}` },
      workload: {
        offerSdpBytes: sessionDescription('offer', 'x.offer', OFFER_SDP_BYTES).length,
        answerSdpBytes: sessionDescription('answer', 'x.answer', ANSWER_SDP_BYTES).length,
        candidatesPerSide: sample.flat().length,
        candidateBurstsPerSide: sample.length,
        levels: config.levels.map((level) => ({ ...level })),
        warmupRounds: config.warmupRounds,
        measuredRounds: config.measuredRounds,
        notes: [
          'Each relay runs in its own Node process (with the same TypeScript loader), its clients in the bench process; all on 127.0.0.1.',
          "A hop is timed from the sender's send to the receiver's arrival, on one clock. Sockets are opened before the rounds; a round runs its calls in N parallel slots, each slot's calls back to back.",
          "Candidates: both sides send a burst at once, the second burst once the first has arrived (it stands for the STUN/TURN round trip). Bare relay and PeerJS clients send one message per candidate (as the PeerJS client does); this project's client half-trickles: the first burst rides in the offer's (and the answer's) SDP, later ones go one batch per burst.",
          `This project: the local gateway with the real handlers, the store in memory, routing lines logged at info as deployed; rate limits (per socket and per profile) raised to ${BENCH_RATE_LIMIT_PER_SECOND}/s and the limit on repeated rings lifted, since each slot places calls far faster than a person.`,
        ],
      },
      relays: levelResults,
      ratios,
      paced,
      burst,
      perCall,
      lambdaSettings,
      cost,
      coldStart,
      coldStartGroups: coldStarts.groups,
      coldStartModel: modelColdStarts(coldStarts, perCall.invocations),
      webClient,
      callLogs,
      targets,
    };
  } finally {
    await starting;
    for (const relay of relays) await closePairs(relay.pairs).catch(() => undefined);
    await Promise.all(started.map((relayProcess) => relayProcess.stop().catch(() => undefined)));
  }
}

/**
 * On each relay in turn (order alternated by round): one paced call, then the burst's rounds, the
 * first of them a warm-up. The relays' sockets are already open; each call ends before the next.
 */
async function runPacedAndBurst(
  relays: readonly RelayUnderTest[],
  config: BenchConfig,
): Promise<{ paced: PacedResult[]; burst: BurstLevelResult[]; gatewayCallsPlaced: number }> {
  const paced: PacedResult[] = [];
  // Every call these place on the gateway leaves a call log, which the check after the runs counts.
  let gatewayCallsPlaced = 0;
  for (const relay of relays) {
    const run = await runPaced(relay.dialect, relay.pairs[0]!, { ...config.paced, timeoutMs: config.callTimeoutMs }, `${relay.name[0]}p`);
    paced.push({ relay: relay.name, ...config.paced, hops: summarize(run.hopsMs), lost: run.lost });
    if (relay.name === 'gateway' && run.placed) gatewayCallsPlaced++;
  }
  const totals = new Map<
    RelayName,
    { hops: number[]; rounds: number; messages: number; delivered: number; lost: number; wallMs: number }
  >();
  const spec = { calls: config.burst.calls, candidatesPerSide: config.burst.candidatesPerSide, timeoutMs: config.callTimeoutMs };
  for (let round = 0; round <= config.burst.rounds; round++) {
    for (const relay of relays.map((_, index) => relays[(index + round) % relays.length]!)) {
      const result = await runBurst(relay.dialect, relay.pairs.slice(0, spec.calls), spec);
      if (relay.name === 'gateway') gatewayCallsPlaced += result.calls;
      if (round === 0) continue; // warm-up
      const into = totals.get(relay.name) ?? { hops: [], rounds: 0, messages: 0, delivered: 0, lost: 0, wallMs: 0 };
      into.hops.push(...result.hopsMs);
      into.rounds++;
      into.messages += result.messages;
      into.delivered += result.delivered;
      into.lost += result.lost;
      into.wallMs += result.wallMs;
      totals.set(relay.name, into);
    }
  }
  const burst = [...totals].map(([relay, into]) => ({
    relay,
    calls: spec.calls,
    candidatesPerSide: spec.candidatesPerSide,
    rounds: into.rounds,
    messages: into.messages,
    delivered: into.delivered,
    lost: into.lost,
    wallMs: into.wallMs,
    forwardedPerSecond: into.wallMs > 0 ? into.delivered / (into.wallMs / 1000) : Number.NaN,
    hops: summarize(into.hops),
  }));
  return { paced, burst, gatewayCallsPlaced };
}

function hopRatios(results: readonly RelayLevelResult[]): HopRatio[] {
  const ratios: HopRatio[] = [];
  const levels = [...new Set(results.map((result) => result.concurrency))];
  for (const concurrency of levels) {
    const of = (relay: RelayName): RelayLevelResult | undefined =>
      results.find((result) => result.relay === relay && result.concurrency === concurrency);
    const gateway = of('gateway');
    const bare = of('bare');
    const peerjs = of('peerjs');
    if (!gateway || !bare || !peerjs) continue;
    for (const kind of HOP_KINDS) {
      ratios.push({
        concurrency,
        kind,
        p50VsBare: ratio(gateway.hops[kind].p50, bare.hops[kind].p50),
        p99VsBare: ratio(gateway.hops[kind].p99, bare.hops[kind].p99),
        p50VsPeerJs: ratio(gateway.hops[kind].p50, peerjs.hops[kind].p50),
        p99VsPeerJs: ratio(gateway.hops[kind].p99, peerjs.hops[kind].p99),
      });
    }
  }
  return ratios;
}
