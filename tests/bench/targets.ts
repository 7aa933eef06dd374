/**
 * The goals, judged on the measured figures. Each verdict comes with a note built from the
 * measurements themselves: by how much a goal is missed and, from the counts and the CPU profile,
 * what the gap is made of.
 */
import type { CallLogCheck } from './call-log-check';
import type { ColdStart } from './cold-start';
import type { CostModel } from './cost-model';
import type { PerCallSummary, PhasePerCall } from './per-call-counts';
import type { BurstLevelResult, HopRatio, PacedResult, TargetResult } from './results';
import type { RelayName } from './dialects/dialect';
import type { WebClientSize } from './web-client-size';

export const TARGETS = {
  /** One call, candidates paced under the rate limit: hop p50 at most this many times PeerJS's. */
  pacedP50VsPeerJs: 2,
  /** The burst: forwarded messages a second at least this share of PeerJS's. */
  burstThroughputShareOfPeerJs: 1 / 5,
  /** The burst: hop p99 at most this many times PeerJS's. */
  burstP99VsPeerJs: 10,
  /** The most calls in flight: the worst message kind's hop p99 at most this many times PeerJS's. */
  loadedP99VsPeerJs: 10,
  billedMessagesPerCall: 12,
  writeUnitsPerCall: 12,
  readUnitsPerCandidateBatch: 1,
  usdPer1000Calls: 0.025,
  initMs: 50,
  clientGzipBytes: 40 * 1024,
} as const;

/** Where a gateway's CPU goes under the burst (from `npm run bench:profile`), to say why a goal is missed. */
export interface CostBreakdown {
  mode: string;
  /** Largest first. */
  categories: readonly { name: string; share: number; microsPerMessage: number }[];
}

export interface TargetInputs {
  ratios: readonly HopRatio[];
  paced: readonly PacedResult[];
  burst: readonly BurstLevelResult[];
  perCall: PerCallSummary;
  cost: CostModel;
  coldStart: readonly ColdStart[];
  webClient: WebClientSize;
  callLogs: CallLogCheck;
  profile?: CostBreakdown;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const phase = (perCall: PerCallSummary, name: PhasePerCall['phase']): PhasePerCall => perCall.phases.find((entry) => entry.phase === name)!;
const byRelay = <T extends { relay: RelayName }>(entries: readonly T[], relay: RelayName): T | undefined =>
  entries.find((entry) => entry.relay === relay);

/** Why the gateway's hops cost what they do: the profile's largest items, else the per-message work. */
function whyNote(inputs: TargetInputs): string {
  const { profile, perCall } = inputs;
  const work = `each candidate is a handler invocation making ${fixed(phase(perCall, 'candidates').storeRequests / Math.max(1, phase(perCall, 'candidates').billedIn))} store request(s) and one post, ice-candidate taking ${fixed(perCall.durationMedianMs['ice-candidate'] ?? Number.NaN)} ms (median, local)`;
  if (!profile || profile.categories.length === 0) return `PeerJS forwards from a map in memory; here ${work}.`;
  const top = profile.categories
    .slice(0, 4)
    .map((category) => `${category.name} ${fixed(category.share * 100, 0)} % (${fixed(category.microsPerMessage, 0)} µs)`)
    .join(', ');
  return `PeerJS forwards from a map in memory; here ${work}. CPU per forwarded message (${profile.mode} profile): ${top}.`;
}

function ratioTarget(
  target: string,
  measuredRatio: number,
  limit: number,
  detail: string,
  inputs: TargetInputs,
  higherIsBetter = false,
): TargetResult {
  const met = Number.isFinite(measuredRatio) && (higherIsBetter ? measuredRatio >= limit : measuredRatio <= limit);
  const missedBy = higherIsBetter ? limit / measuredRatio : measuredRatio / limit;
  return {
    target,
    measured: detail,
    met,
    note: met ? 'met' : `missed by ${fixed(missedBy)}x. ${whyNote(inputs)}`,
  };
}

function latencyTargets(inputs: TargetInputs): TargetResult[] {
  const results: TargetResult[] = [];
  const pacedGateway = byRelay(inputs.paced, 'gateway');
  const pacedPeerJs = byRelay(inputs.paced, 'peerjs');
  if (pacedGateway && pacedPeerJs) {
    const measured = pacedGateway.hops.p50 / pacedPeerJs.hops.p50;
    results.push(
      ratioTarget(
        `Paced candidate hop p50 within ${TARGETS.pacedP50VsPeerJs}x of PeerJS`,
        measured,
        TARGETS.pacedP50VsPeerJs,
        `${fixed(pacedGateway.hops.p50, 2)} ms vs ${fixed(pacedPeerJs.hops.p50, 2)} ms: ${fixed(measured)}x`,
        inputs,
      ),
    );
  }
  const burstGateway = byRelay(inputs.burst, 'gateway');
  const burstPeerJs = byRelay(inputs.burst, 'peerjs');
  if (burstGateway && burstPeerJs) {
    const share = burstGateway.forwardedPerSecond / burstPeerJs.forwardedPerSecond;
    results.push(
      ratioTarget(
        `Burst throughput at least 1/${1 / TARGETS.burstThroughputShareOfPeerJs} of PeerJS's`,
        share,
        TARGETS.burstThroughputShareOfPeerJs,
        `${fixed(burstGateway.forwardedPerSecond, 0)} vs ${fixed(burstPeerJs.forwardedPerSecond, 0)} msg/s: 1/${fixed(1 / share)}`,
        inputs,
        true,
      ),
    );
    const p99 = burstGateway.hops.p99 / burstPeerJs.hops.p99;
    results.push(
      ratioTarget(
        `Burst hop p99 within ${TARGETS.burstP99VsPeerJs}x of PeerJS`,
        p99,
        TARGETS.burstP99VsPeerJs,
        `${fixed(burstGateway.hops.p99, 0)} ms vs ${fixed(burstPeerJs.hops.p99, 0)} ms: ${fixed(p99)}x`,
        inputs,
      ),
    );
  }
  const most = Math.max(...inputs.ratios.map((ratio) => ratio.concurrency));
  const worst = inputs.ratios
    .filter((ratio) => ratio.concurrency === most && Number.isFinite(ratio.p99VsPeerJs))
    .reduce<HopRatio | undefined>((top, ratio) => (!top || ratio.p99VsPeerJs > top.p99VsPeerJs ? ratio : top), undefined);
  if (worst) {
    results.push(
      ratioTarget(
        `${most} calls in flight: worst hop p99 within ${TARGETS.loadedP99VsPeerJs}x of PeerJS`,
        worst.p99VsPeerJs,
        TARGETS.loadedP99VsPeerJs,
        `${fixed(worst.p99VsPeerJs)}x (${worst.kind})`,
        inputs,
      ),
    );
  }
  return results;
}

function perCallTargets(inputs: TargetInputs): TargetResult[] {
  const { perCall, cost } = inputs;
  const { signalingIn, signalingOut, keepAliveIn, keepAliveOut } = perCall.billedMessages;
  const signaling = signalingIn + signalingOut;
  const candidates = phase(perCall, 'candidates');
  const invite = phase(perCall, 'invite');
  const topWrites = [...perCall.operations]
    .sort((a, b) => b.writeUnits + b.indexWriteUnits - (a.writeUnits + a.indexWriteUnits))
    .slice(0, 3)
    .map((tally) => `${tally.operation} ${tally.table}: ${fixed(tally.writeUnits + tally.indexWriteUnits)}`)
    .join('; ');
  const sockets =
    phase(perCall, 'connect').writeUnits +
    phase(perCall, 'connect').indexWriteUnits +
    phase(perCall, 'disconnect').writeUnits +
    phase(perCall, 'disconnect').indexWriteUnits;
  const perBatch = perCall.readUnitsPerCandidateBatch;
  const costMet = cost.usdPer1000Calls <= TARGETS.usdPer1000Calls;
  return [
    {
      target: 'Every call durably logged',
      measured: `${inputs.callLogs.ended} of ${inputs.callLogs.callsPlaced} completed calls logged as ended`,
      met: inputs.callLogs.ended >= inputs.callLogs.callsPlaced,
      note: 'read back from the store after the runs',
    },
    {
      target: `At most ${TARGETS.billedMessagesPerCall} billed messages per call`,
      measured: `${fixed(signaling)} (${fixed(signalingIn)} in, ${fixed(signalingOut)} out); keep-alive adds ${fixed(keepAliveIn + keepAliveOut)}`,
      met: signaling <= TARGETS.billedMessagesPerCall,
      note: `${signaling <= TARGETS.billedMessagesPerCall ? '' : `over by ${fixed(signaling - TARGETS.billedMessagesPerCall)}: `}candidates ${fixed(candidates.billedIn)} in + ${fixed(candidates.billedOut)} out, invite ${fixed(invite.billedIn)} in + ${fixed(invite.billedOut)} out`,
    },
    {
      target: `At most ${TARGETS.writeUnitsPerCall} write units per call, sockets included`,
      measured: `${fixed(perCall.writeUnits)} (${fixed(perCall.tableWriteUnits)} table + ${fixed(perCall.indexWriteUnits)} index)`,
      met: perCall.writeUnits <= TARGETS.writeUnitsPerCall,
      note: `${perCall.writeUnits <= TARGETS.writeUnitsPerCall ? '' : `over by ${fixed(perCall.writeUnits - TARGETS.writeUnitsPerCall)}; `}sockets' connect and disconnect ${fixed(sockets)} of it; largest: ${topWrites}`,
    },
    {
      target: `At most ${TARGETS.readUnitsPerCandidateBatch} read unit per candidate batch (each reads its call)`,
      measured: `${fixed(perBatch, 2)} read units per batch`,
      met: perBatch <= TARGETS.readUnitsPerCandidateBatch,
      note: `one strongly consistent GetItem of the call per batch, since another container may have ended the call or moved it to a new socket a moment before${perBatch > TARGETS.readUnitsPerCandidateBatch ? '; the call item is over 4 KB' : ''}`,
    },
    {
      target: `At most $${TARGETS.usdPer1000Calls} per 1,000 five-minute calls`,
      measured: `$${cost.usdPer1000Calls.toFixed(4)} (with AWS latency $${cost.usdPer1000CallsWithAwsLatency.toFixed(4)})`,
      met: costMet,
      note: `${costMet ? 'largest' : `over by $${(cost.usdPer1000Calls - TARGETS.usdPer1000Calls).toFixed(4)}; largest`}: ${[...cost.lines]
        .sort((a, b) => b.usdPer1000Calls - a.usdPer1000Calls)
        .slice(0, 3)
        .map((line) => `${line.item} $${line.usdPer1000Calls.toFixed(4)}`)
        .join(', ')}`,
    },
  ];
}

function initTarget(coldStart: readonly ColdStart[]): TargetResult {
  const slow = coldStart.filter((fn) => fn.initMedianMs > TARGETS.initMs);
  const slowest = [...coldStart].sort((a, b) => b.initMedianMs - a.initMedianMs)[0];
  const fastest = [...coldStart].sort((a, b) => a.initMedianMs - b.initMedianMs)[0];
  const sdkPackages = [...new Set(slow.flatMap((fn) => fn.sdkPackagesAtLoad))].sort();
  const heaviestFirstUse = [...coldStart].sort((a, b) => (b.firstUse?.cpuMedianMs ?? 0) - (a.firstUse?.cpuMedianMs ?? 0))[0];
  return {
    target: `Each handler's init at most ${TARGETS.initMs} ms`,
    measured:
      slowest && fastest
        ? `${fixed(fastest.initMedianMs)} ms (${fastest.functionId}) to ${fixed(slowest.initMedianMs)} ms (${slowest.functionId})`
        : 'n/a',
    met: coldStart.length > 0 && slow.length === 0,
    note:
      slow.length === 0
        ? `median of fresh-process loads, ${coldStart.length} functions; the SDK clients load on the first request instead, which adds up to ${fixed(heaviestFirstUse?.firstUse?.cpuMedianMs ?? Number.NaN)} ms of CPU (${heaviestFirstUse?.functionId ?? 'n/a'})`
        : `${slow.length} of ${coldStart.length} over, by up to ${fixed((slowest?.initMedianMs ?? 0) - TARGETS.initMs)} ms (CPU time of the slowest: ${fixed(slowest?.initCpuMedianMs ?? Number.NaN)} ms)${sdkPackages.length > 0 ? `; they load ${sdkPackages.join(', ')} at init` : ''}`,
  };
}

export function judgeTargets(inputs: TargetInputs): TargetResult[] {
  const { webClient } = inputs;
  return [
    ...latencyTargets(inputs),
    ...perCallTargets(inputs),
    initTarget(inputs.coldStart),
    {
      target: `Web client JS at most ${kb(TARGETS.clientGzipBytes)} gzipped`,
      measured: `${kb(webClient.jsGzipBytes)} gzipped (${kb(webClient.jsBytes)} minified)`,
      met: webClient.source !== 'missing' && webClient.jsGzipBytes <= TARGETS.clientGzipBytes,
      note: webClient.source === 'built' ? 'built now by web/build.ts' : (webClient.note ?? webClient.source),
    },
  ];
}
