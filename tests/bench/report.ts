/**
 * The results as Markdown: the full report (`results/latest.md`, also printed) and the short
 * section the README shows. Numbers only; every judgement is in the targets table.
 */
import { RELAY_LABELS, type RelayName } from './dialects/dialect';
import type { BenchResult, BurstLevelResult, PacedResult, RelayLevelResult } from './results';
import { DEFAULT_RATE_LIMITS } from '../../shared/limits';
import { renderColdStartModel } from './cold-start-model';
import { TARGETS } from './targets';
import { HOP_KINDS } from './workload/call-script';

const RELAYS: readonly RelayName[] = ['bare', 'peerjs', 'gateway'];

const num = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(value >= 10 ? 0 : 1)}x` : 'n/a');
const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : (bytes / 1024 / 1024).toFixed(0));
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** ", and on demand: call-screen 8.3 KB, …" (nothing for a result from before the parts were measured). */
function onDemandParts(webClient: { onDemand?: readonly { name: string; jsGzipBytes: number }[] }): string {
  const parts = webClient.onDemand ?? [];
  return parts.length === 0 ? '' : `, and on demand ${parts.map((part) => `${part.name} ${kb(part.jsGzipBytes)} KB`).join(', ')}`;
}
const usd = (value: number): string => `$${value.toFixed(4)}`;

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function levelOf(result: BenchResult, relay: RelayName, concurrency: number): RelayLevelResult | undefined {
  return result.relays.find((entry) => entry.relay === relay && entry.concurrency === concurrency);
}

const levels = (result: BenchResult): number[] => [...new Set(result.relays.map((entry) => entry.concurrency))];

export function latencyTable(result: BenchResult): string {
  const rows: string[][] = [];
  for (const concurrency of levels(result)) {
    for (const kind of HOP_KINDS) {
      const cells = RELAYS.map((relay) => {
        const hop = levelOf(result, relay, concurrency)?.hops[kind];
        return hop ? `${num(hop.p50)} / ${num(hop.p99)}` : 'n/a';
      });
      const ratio = result.ratios.find((entry) => entry.concurrency === concurrency && entry.kind === kind);
      rows.push([
        String(concurrency),
        kind,
        ...cells,
        ratio ? `${times(ratio.p50VsBare)} / ${times(ratio.p99VsBare)}` : 'n/a',
        ratio ? `${times(ratio.p50VsPeerJs)} / ${times(ratio.p99VsPeerJs)}` : 'n/a',
      ]);
    }
  }
  return table(
    ['calls in flight', 'message', ...RELAYS.map((relay) => RELAY_LABELS[relay]), 'this project ÷ bare', 'this project ÷ PeerJS'],
    rows,
  );
}

const pick = <T extends { relay: RelayName }>(entries: readonly T[], relay: RelayName): T | undefined =>
  entries.find((entry) => entry.relay === relay);

/** The issue's figures in one table: each relay's, and this project's against PeerJS's and the goal. */
export function headlineTable(result: BenchResult): string {
  const rows: string[][] = [];
  const paced = (relay: RelayName): PacedResult | undefined => pick(result.paced, relay);
  const burst = (relay: RelayName): BurstLevelResult | undefined => pick(result.burst, relay);
  const row = (figure: string, values: (relay: RelayName) => number, digits: number, versus: string, goal: string): void => {
    rows.push([figure, ...RELAYS.map((relay) => num(values(relay), digits)), versus, goal]);
  };
  const pacedOf = (relay: RelayName): number => paced(relay)?.hops.p50 ?? Number.NaN;
  const pacedSpec = paced('gateway');
  if (pacedSpec) {
    row(
      `candidate hop p50, ms: one call, ${pacedSpec.candidates} candidates one per message, one every ${pacedSpec.intervalMs} ms`,
      pacedOf,
      2,
      times(pacedOf('gateway') / pacedOf('peerjs')),
      `≤ ${TARGETS.pacedP50VsPeerJs}x`,
    );
  }
  const burstSpec = burst('gateway');
  if (burstSpec) {
    const throughput = (relay: RelayName): number => burst(relay)?.forwardedPerSecond ?? Number.NaN;
    const share = throughput('gateway') / throughput('peerjs');
    row(
      `${burstSpec.calls} calls × ${2 * burstSpec.candidatesPerSide} candidates sent at once: forwarded msg/s`,
      throughput,
      0,
      Number.isFinite(share) && share > 0 ? `1/${(1 / share).toFixed(1)}` : 'n/a',
      `≥ 1/${1 / TARGETS.burstThroughputShareOfPeerJs}`,
    );
    const p99 = (relay: RelayName): number => burst(relay)?.hops.p99 ?? Number.NaN;
    row('same burst: hop p99, ms', p99, 1, times(p99('gateway') / p99('peerjs')), `≤ ${TARGETS.burstP99VsPeerJs}x`);
  }
  const most = Math.max(...levels(result));
  const worst = result.ratios
    .filter((ratio) => ratio.concurrency === most && Number.isFinite(ratio.p99VsPeerJs))
    .sort((a, b) => b.p99VsPeerJs - a.p99VsPeerJs)[0];
  if (worst) {
    row(
      `${most} calls in flight: worst hop p99, ms (${worst.kind})`,
      (relay) => levelOf(result, relay, most)?.hops[worst.kind].p99 ?? Number.NaN,
      1,
      times(worst.p99VsPeerJs),
      `≤ ${TARGETS.loadedP99VsPeerJs}x`,
    );
  }
  return table(['figure', ...RELAYS.map((relay) => RELAY_LABELS[relay]), 'this project ÷ PeerJS', 'goal'], rows);
}

/** How the paced and burst figures were taken, and what was lost. */
function burstNote(result: BenchResult): string {
  const lost = [...result.paced, ...result.burst].filter((entry) => entry.lost > 0);
  const burst = pick(result.burst, 'gateway');
  return [
    `Paced: one call per relay on sockets opened before, each candidate waited for before the next; the two sides take turns, so each socket sends at half that pace, under the candidate rate limit of ${DEFAULT_RATE_LIMITS.socket.candidates.perSecond}/s per socket. `,
    burst
      ? `Burst: ${burst.rounds} measured round(s) of ${Math.round(burst.messages / Math.max(1, burst.rounds))} single-candidate messages (${burst.calls} calls set up first, both sides sending ${burst.candidatesPerSide} each, all at once); forwarded msg/s is what arrived over the round's wall time, send of the first to arrival of the last.`
      : '',
    lost.length > 0 ? ` Lost: ${lost.map((entry) => `${RELAY_LABELS[entry.relay]} ${entry.lost}`).join(', ')}.` : ' Nothing was lost.',
  ].join('');
}

/** Per call and per function, against the goals. */
export function perCallHeadline(result: BenchResult): string {
  const { perCall, cost, coldStart } = result;
  const { signalingIn, signalingOut, keepAliveIn, keepAliveOut } = perCall.billedMessages;
  const slowest = [...coldStart].sort((a, b) => b.initMedianMs - a.initMedianMs)[0];
  const over = coldStart.filter((fn) => fn.initMedianMs > TARGETS.initMs).length;
  return table(
    ['figure', 'now', 'goal'],
    [
      [
        'billed WebSocket messages per call',
        `${num(signalingIn + signalingOut, 1)} (keep-alive adds ${num(keepAliveIn + keepAliveOut, 1)})`,
        `≤ ${TARGETS.billedMessagesPerCall}`,
      ],
      [
        'DynamoDB write units per call, sockets included',
        `${num(perCall.writeUnits, 1)} (${num(perCall.tableWriteUnits, 1)} table + ${num(perCall.indexWriteUnits, 1)} index)`,
        `≤ ${TARGETS.writeUnitsPerCall}`,
      ],
      ['AWS cost per 1,000 five-minute calls', usd(cost.usdPer1000Calls), `≤ $${TARGETS.usdPer1000Calls}`],
      [
        'handler init (module load)',
        slowest
          ? `up to ${num(slowest.initMedianMs, 1)} ms (${slowest.functionId}); ${over} of ${coldStart.length} over ${TARGETS.initMs} ms`
          : 'n/a',
        `every handler ≤ ${TARGETS.initMs} ms`,
      ],
    ],
  );
}

function throughputTable(result: BenchResult): string {
  const rows: string[][] = [];
  for (const concurrency of levels(result)) {
    const bare = levelOf(result, 'bare', concurrency);
    const peerjs = levelOf(result, 'peerjs', concurrency);
    for (const relay of RELAYS) {
      const entry = levelOf(result, relay, concurrency);
      if (!entry) continue;
      rows.push([
        String(concurrency),
        RELAY_LABELS[relay],
        `${entry.completed}/${entry.calls}`,
        String(entry.lost),
        num(entry.callsPerSecond, 0),
        num(entry.forwardedPerSecond, 0),
        relay === 'bare' || !bare ? '' : times(entry.callsPerSecond / bare.callsPerSecond),
        relay === 'gateway' && peerjs ? times(entry.callsPerSecond / peerjs.callsPerSecond) : '',
        mb(entry.peakMemoryBytes),
        relay === 'bare' || !bare || entry.peakMemoryBytes === null || bare.peakMemoryBytes === null
          ? ''
          : times(entry.peakMemoryBytes / bare.peakMemoryBytes),
      ]);
    }
  }
  return table(
    [
      'calls in flight',
      'relay',
      'calls done',
      'messages lost',
      'calls/s',
      'forwarded msg/s',
      'calls/s ÷ bare',
      'calls/s ÷ PeerJS',
      'peak RSS MB',
      'RSS ÷ bare',
    ],
    rows,
  );
}

function perCallTables(result: BenchResult): string {
  const { perCall } = result;
  const phaseRows = perCall.phases.map((phase) => [
    phase.phase,
    num(phase.billedIn, 1),
    num(phase.billedOut, 1),
    num(phase.invocations, 1),
    num(phase.storeRequests, 1),
    num(phase.readUnits, 1),
    num(phase.writeUnits, 1),
    num(phase.indexWriteUnits, 1),
  ]);
  const sum = (pick: (phase: BenchResult['perCall']['phases'][number]) => number): string =>
    num(
      perCall.phases.reduce((total, phase) => total + pick(phase), 0),
      1,
    );
  phaseRows.push([
    '**per call**',
    sum((phase) => phase.billedIn),
    sum((phase) => phase.billedOut),
    sum((phase) => phase.invocations),
    sum((phase) => phase.storeRequests),
    sum((phase) => phase.readUnits),
    sum((phase) => phase.writeUnits),
    sum((phase) => phase.indexWriteUnits),
  ]);
  const functions = Object.entries(perCall.invocations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, count]) => [
      id,
      num(count, 1),
      num(perCall.durationMedianMs[id] ?? Number.NaN, 1),
      String(result.lambdaSettings.byFunction[id]?.memoryMb ?? 'n/a'),
    ]);
  const operations = perCall.operations.map((tally) => [
    tally.operation,
    `${tally.table}${tally.index ? ` / ${tally.index}` : ''}`,
    num(tally.requests, 1),
    num(tally.readUnits, 1),
    num(tally.writeUnits, 1),
    num(tally.indexWriteUnits, 1),
    num(tally.conditionFailures, 1),
  ]);
  return [
    `Measured over ${perCall.calls} calls (${perCall.completed} completed), one at a time, each on two fresh sockets; per call.`,
    '',
    table(
      [
        'phase',
        'billed msgs in',
        'billed msgs out',
        'invocations',
        'store requests',
        'read units',
        'write units (table)',
        'write units (indexes)',
      ],
      phaseRows,
    ),
    '',
    `Check: the handlers' delivered posts ${perCall.postsMatchFramesReceived ? 'equal' : 'DO NOT equal'} the frames the clients received.`,
    '',
    table(['function', 'invocations per call', 'median duration ms (local)', 'memory MB'], functions),
    '',
    table(
      ['store operation', 'table / index', 'requests', 'read units', 'write units', 'index write units', 'failed conditions'],
      operations,
    ),
  ].join('\n');
}

function costSection(result: BenchResult): string {
  const { cost } = result;
  const rows = cost.lines.map((line) => [
    line.item,
    num(line.perCall, line.unit === 'GB-s' ? 4 : 1),
    line.unit,
    line.price,
    usd(line.usdPer1000Calls),
  ]);
  rows.push(['**total**', '', '', '', `**${usd(cost.usdPer1000Calls)}**`]);
  rows.push([
    'total with AWS latency in the handlers',
    num(cost.lambdaGbSecondsPerCallWithAwsLatency, 4),
    'GB-s',
    '',
    usd(cost.usdPer1000CallsWithAwsLatency),
  ]);
  const { sweeper, candidateSplit: split } = cost;
  return [
    table(['item', 'per call', 'unit', 'price (us-east-1)', 'per 1,000 calls'], rows),
    '',
    `Scheduled sweeper, apart: ${sweeper.runsPerMonth.toLocaleString('en-US')} runs a month, ${num(sweeper.durationMedianMs, 1)} ms and ${num(sweeper.readUnitsPerRun, 1)} read units a run: ` +
      `${usd(sweeper.usdPerMonth)} a month (${usd(sweeper.usdPer1000CallsAtIllustrativeVolume)} per 1,000 calls at 100,000 calls a month).`,
    '',
    `Seed-format peers: a call between this web client and a client that did not declare \`candidate_batches\` carries the web client's candidates one per message, ` +
      `${split.splitMessagesPerSide} messages instead of ${split.batchedMessagesPerSide} batches: ${num(split.extraMessagesPerCall, 0)} more billed messages per call, ` +
      `${usd(split.usdPer1000Calls)} per 1,000 calls (${num(split.shareOfCallMessages * 100, 1)}% of the messages of a call between two web clients).`,
    '',
    turnCostSection(cost.relay),
    '',
    'Assumptions:',
    '',
    ...cost.assumptions.map((assumption) => `- ${assumption}`),
  ].join('\n');
}

/** TURN's cost per relayed minute, by option; per-minute figures need five decimals. */
function turnCostSection(relay: BenchResult['cost']['relay']): string {
  const perMinute = (value: number): string => `$${value.toFixed(5)}`;
  return [
    'TURN, per relayed minute (not in the total above: only calls that cannot go peer to peer relay):',
    '',
    table(
      ['option', 'per relayed minute', 'per 1,000 relayed minutes', 'fixed'],
      [
        [
          'Kinesis Video Streams TURN',
          perMinute(relay.kvsUsdPerRelayedMinute),
          usd(relay.kvsUsdPerRelayedMinute * 1000),
          `${usd(relay.kvsUsdPerChannelMonth)} per channel a month`,
        ],
        [
          `TURN server on EC2 (${num((relay.gbOutPerRelayedMinute * 1024 ** 3) / 1_000_000, 1)} MB out a minute)`,
          perMinute(relay.ec2TurnUsdPerRelayedMinute),
          usd(relay.ec2TurnUsdPerRelayedMinute * 1000),
          'the instance',
        ],
      ],
    ),
    '',
    ...relay.assumptions.map((assumption) => `- ${assumption}`),
  ].join('\n');
}

function coldStartTable(result: BenchResult): string {
  const deployed = result.coldStart[0]?.sdk ?? 'runtime';
  const other = deployed === 'runtime' ? 'bundled' : 'runtime';
  const rows = [...result.coldStart, ...result.coldStartGroups].map((fn) => [
    result.coldStartGroups.includes(fn) ? `${fn.functionId} (grouped layout)` : fn.functionId,
    kb(fn.bundleBytes),
    num(fn.initMedianMs, 1),
    num(fn.initCpuMedianMs, 1),
    fn.sdkPackagesAtLoad.map((name) => name.replace('@aws-sdk/', '')).join(', ') || 'none',
    fn.firstUse
      ? `${num(fn.firstUse.cpuMedianMs, 1)} (${fn.firstUse.packages.map((name) => name.replace('@aws-sdk/', '')).join(', ') || 'none'})`
      : 'n/a',
    kb(fn.alternative.bundleBytes),
    num(fn.alternative.initCpuMedianMs, 1),
    String(fn.initMs.length),
  ]);
  return [
    `Deployed: the AWS SDK ${deployed === 'runtime' ? 'left to the Lambda runtime' : 'bundled'}; beside it the same function with the SDK ${other}. ` +
      "Init is the module load (`require`) in a fresh Node process; each handler's SDK clients load on its first request instead, which the next column measures: loading every SDK package the bundle refers to (the most a first request adds).",
    '',
    table(
      [
        'function',
        'bundle KB',
        'init median ms',
        'init CPU median ms',
        'SDK loaded at init',
        'first request adds, CPU ms (packages)',
        `SDK ${other}: bundle KB`,
        `SDK ${other}: init CPU ms`,
        'loads',
      ],
      rows,
    ),
  ].join('\n');
}

export function targetsTable(result: BenchResult): string {
  return table(
    ['target', 'measured', 'met', 'note'],
    result.targets.map((target) => [target.target, target.measured, target.met ? 'yes' : '**no**', target.note]),
  );
}

/** What other bench commands wrote last (`npm run bench:profile`, `npm run bench:web`), shown with this run. */
export interface CompanionResults {
  /** Where the CPU goes under the burst (`renderProfileSummary`). */
  profileSummary?: string;
  /** Click Call → incoming, Accept → connected (`web/bench/report.ts`). */
  setupLatency?: string;
}

function companionSections(companions: CompanionResults): string[] {
  return [
    ...(companions.profileSummary ? [companions.profileSummary, ''] : []),
    ...(companions.setupLatency ? [companions.setupLatency, ''] : []),
  ];
}

export function fullReport(result: BenchResult, companions: CompanionResults = {}): string {
  const { workload, machine } = result;
  return [
    '# Benchmark: this project vs PeerJS vs a bare relay',
    '',
    `${result.mode === 'full' ? 'Full' : 'Quick'} run of ${result.startedAt}, ${result.durationSeconds} s, on ${machine.cores} × ${machine.cpu}, Node ${machine.node}, ${machine.platform}. ` +
      'Machines like this are noisy: compare the ratios, not the absolute times.',
    '',
    `Workload, the same on every relay: a video call's signaling: invite with a ${workload.offerSdpBytes}-byte SDP offer, answer (${workload.answerSdpBytes} bytes), ` +
      `${workload.candidatesPerSide} ICE candidates per side in ${workload.candidateBurstsPerSide} bursts, hang-up. ` +
      `Levels: ${workload.levels.map((level) => `${level.concurrency} call(s) in flight × ${level.callsPerSlot} per slot`).join(', ')}; ` +
      `${workload.warmupRounds} warm-up round(s) dropped, ${workload.measuredRounds} measured, relays alternated.`,
    '',
    ...workload.notes.map((note) => `- ${note}`),
    '',
    '## The goals, side by side',
    '',
    headlineTable(result),
    '',
    burstNote(result),
    '',
    perCallHeadline(result),
    '',
    ...companionSections(companions),
    '## Hop latency, ms (p50 / p99)',
    '',
    latencyTable(result),
    '',
    '## Throughput and memory',
    '',
    throughputTable(result),
    '',
    '## Per complete call',
    '',
    perCallTables(result),
    '',
    `Every call durably logged: ${result.callLogs.ended} of ${result.callLogs.callsPlaced} completed calls have their call log in status ended (${result.callLogs.logged} call log items in all).`,
    '',
    '## AWS cost per 1,000 five-minute calls',
    '',
    costSection(result),
    '',
    '## Cold start',
    '',
    coldStartTable(result),
    '',
    '### Cold starts per call at low traffic',
    '',
    result.coldStartModel ? renderColdStartModel(result.coldStartModel) : 'Not modelled in this run (the quick run measures one function).',
    '',
    '## Web client',
    '',
    `${kb(result.webClient.jsGzipBytes)} KB gzipped at start (${kb(result.webClient.jsBytes)} KB minified)${onDemandParts(result.webClient)}, ${result.webClient.source === 'built' ? 'built now with web/build.ts' : `from ${result.webClient.source}${result.webClient.note ? ` (${result.webClient.note})` : ''}`}.`,
    '',
    '## Targets',
    '',
    targetsTable(result),
    '',
  ].join('\n');
}

/** The README's Performance section (between its markers): the latest headline tables. */
export function readmeSection(result: BenchResult, companions: CompanionResults = {}): string {
  return [
    `Latest run (\`npm run bench\`): ${result.startedAt.slice(0, 10)}, ${result.machine.cores} × ${result.machine.cpu}, Node ${result.machine.node}, ${result.durationSeconds} s. Full report: [tests/bench/results/latest.md](tests/bench/results/latest.md).`,
    '',
    headlineTable(result),
    '',
    perCallHeadline(result),
    '',
    ...companionSections(companions),
    `AWS cost per 1,000 five-minute calls: ${usd(result.cost.usdPer1000Calls)} (${usd(result.cost.usdPer1000CallsWithAwsLatency)} with AWS round trips in the handlers' durations); the sweeper adds ${usd(result.cost.sweeper.usdPerMonth)} a month whatever the traffic.`,
    '',
    targetsTable(result),
  ].join('\n');
}
