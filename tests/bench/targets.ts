/**
 * The issue's targets, judged on the measured figures. Each verdict comes with a note built from
 * the measurements themselves: by how much a target is missed and what the counts say it is made of.
 */
import type { ColdStart } from './cold-start';
import type { CostModel } from './cost-model';
import type { CallLogCheck } from './call-log-check';
import type { PerCallSummary, PhasePerCall } from './per-call-counts';
import type { HopRatio, TargetResult } from './results';
import type { WebClientSize } from './web-client-size';

export const TARGETS = {
  p50VsPeerJs: 2,
  p99VsPeerJs: 3,
  billedMessagesPerCall: 12,
  writeUnitsPerCall: 8,
  readUnitsPerCall: 6,
  readUnitsPerCandidateBatch: 1,
  usdPer1000Calls: 0.03,
  bundleBytes: 100 * 1024,
  initMs: 50,
  clientGzipBytes: 40 * 1024,
} as const;

export interface TargetInputs {
  ratios: readonly HopRatio[];
  perCall: PerCallSummary;
  cost: CostModel;
  coldStart: readonly ColdStart[];
  webClient: WebClientSize;
  callLogs: CallLogCheck;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const phase = (perCall: PerCallSummary, name: PhasePerCall['phase']): PhasePerCall => perCall.phases.find((entry) => entry.phase === name)!;

/** Where a hop's time goes: the store requests and posts each message makes, in sequence. */
function hopWork(perCall: PerCallSummary): string {
  const perMessage = (name: PhasePerCall['phase']): string => {
    const entry = phase(perCall, name);
    const messages = Math.max(1, entry.billedIn);
    return `${name} ${fixed(entry.storeRequests / messages, 1)} store requests + ${fixed(entry.billedOut / messages, 1)} posts`;
  };
  return ['invite', 'answer', 'candidates', 'end'].map((name) => perMessage(name as PhasePerCall['phase'])).join(', ');
}

/** The median duration of the handlers on the hop path. */
function handlerTimes(perCall: PerCallSummary): string {
  return ['call-invitation', 'call-answer', 'ice-candidate', 'call-ended']
    .map((id) => `${id} ${fixed(perCall.durationMedianMs[id] ?? Number.NaN)} ms`)
    .join(', ');
}

function latencyTarget(ratios: readonly HopRatio[], perCall: PerCallSummary, which: 'p50' | 'p99', limit: number): TargetResult {
  const pick = (ratio: HopRatio): number => (which === 'p50' ? ratio.p50VsPeerJs : ratio.p99VsPeerJs);
  const known = ratios.filter((ratio) => Number.isFinite(pick(ratio)));
  const worst = known.reduce<HopRatio | undefined>((top, ratio) => (!top || pick(ratio) > pick(top) ? ratio : top), undefined);
  const best = known.reduce<HopRatio | undefined>((low, ratio) => (!low || pick(ratio) < pick(low) ? ratio : low), undefined);
  if (!worst || !best)
    return { target: `Hop ${which} within ${limit}x of PeerJS`, measured: 'n/a', met: false, note: 'no latency was measured' };
  const met = pick(worst) <= limit;
  return {
    target: `Hop ${which} within ${limit}x of PeerJS, every call logged`,
    measured: `${fixed(pick(best))}x to ${fixed(pick(worst))}x`,
    met,
    note: met
      ? `worst: ${worst.kind} at ${worst.concurrency} in flight`
      : `missed by up to ${fixed(pick(worst) / limit)}x (worst: ${worst.kind} at ${worst.concurrency} in flight). PeerJS forwards from a map in memory; each hop here is a handler invocation that, per message, makes ${hopWork(perCall)}, one after another; the handlers alone take ${handlerTimes(perCall)} (median, local).`,
  };
}

export function judgeTargets(inputs: TargetInputs): TargetResult[] {
  const { perCall, cost, coldStart, webClient, callLogs } = inputs;
  const results: TargetResult[] = [
    latencyTarget(inputs.ratios, perCall, 'p50', TARGETS.p50VsPeerJs),
    latencyTarget(inputs.ratios, perCall, 'p99', TARGETS.p99VsPeerJs),
  ];

  const logged = callLogs.ended >= callLogs.callsPlaced;
  results.push({
    target: 'Every call durably logged',
    measured: `${callLogs.ended} of ${callLogs.callsPlaced} completed calls logged as ended`,
    met: logged,
    note: logged ? 'read back from the store after the runs' : `${callLogs.callsPlaced - callLogs.ended} calls have no final call log`,
  });

  const { signalingIn, signalingOut } = perCall.billedMessages;
  const signaling = signalingIn + signalingOut;
  const candidates = phase(perCall, 'candidates');
  results.push({
    target: `At most ${TARGETS.billedMessagesPerCall} billed messages per call`,
    measured: `${fixed(signaling)} (${fixed(signalingIn)} in, ${fixed(signalingOut)} out); keep-alive adds ${fixed(perCall.billedMessages.keepAliveIn + perCall.billedMessages.keepAliveOut)}`,
    met: signaling <= TARGETS.billedMessagesPerCall,
    note:
      signaling <= TARGETS.billedMessagesPerCall
        ? `candidates batched: ${fixed(candidates.billedIn)} batches in, ${fixed(candidates.billedOut)} out`
        : `over by ${fixed(signaling - TARGETS.billedMessagesPerCall)}: candidates take ${fixed(candidates.billedIn)} in + ${fixed(candidates.billedOut)} out (one batch per burst and side; the workload's second burst comes after a STUN/TURN round trip, past the client's 25 ms batching window), and the invite ${fixed(phase(perCall, 'invite').billedOut)} out (invitation and call_ringing).`,
  });

  const topWrites = [...perCall.operations]
    .sort((a, b) => b.writeUnits + b.indexWriteUnits - (a.writeUnits + a.indexWriteUnits))
    .slice(0, 3)
    .map((tally) => `${tally.operation} ${tally.table}: ${fixed(tally.writeUnits + tally.indexWriteUnits)}`)
    .join('; ');
  results.push({
    target: `At most ${TARGETS.writeUnitsPerCall} write units per call`,
    measured: `${fixed(perCall.writeUnits)} (${fixed(perCall.tableWriteUnits)} table + ${fixed(perCall.indexWriteUnits)} index)`,
    met: perCall.writeUnits <= TARGETS.writeUnitsPerCall,
    note:
      perCall.writeUnits <= TARGETS.writeUnitsPerCall
        ? 'sockets included'
        : `over by ${fixed(perCall.writeUnits - TARGETS.writeUnitsPerCall)}, sockets' connect and disconnect included (${fixed(phase(perCall, 'connect').writeUnits + phase(perCall, 'connect').indexWriteUnits + phase(perCall, 'disconnect').writeUnits + phase(perCall, 'disconnect').indexWriteUnits)} of it). Largest: ${topWrites}.${perCall.indexWriteUnits > 0 ? ` Index writes are ${fixed(perCall.indexWriteUnits)} of it: a write of an indexed item also writes each index entry it creates, changes or removes.` : ''}`,
  });

  results.push({
    target: `At most ${TARGETS.readUnitsPerCall} read units per call`,
    measured: fixed(perCall.readUnits),
    met: perCall.readUnits <= TARGETS.readUnitsPerCall,
    note:
      perCall.readUnits <= TARGETS.readUnitsPerCall
        ? `of which candidates ${fixed(candidates.readUnits)}`
        : `over by ${fixed(perCall.readUnits - TARGETS.readUnitsPerCall)}; candidates ${fixed(candidates.readUnits)}, answer ${fixed(phase(perCall, 'answer').readUnits)}, end ${fixed(phase(perCall, 'end').readUnits)}, disconnect ${fixed(phase(perCall, 'disconnect').readUnits)}`,
  });

  // A copy of the call in a container's memory routed candidates of calls that another container had
  // ended or moved; so each batch reads its call, strongly consistent: one unit for an item under 4 KB.
  const perBatch = perCall.readUnitsPerCandidateBatch;
  results.push({
    target: `At most ${TARGETS.readUnitsPerCandidateBatch} read unit per candidate batch (each reads its call)`,
    measured: `${fixed(perBatch, 2)} read units per batch`,
    met: perBatch <= TARGETS.readUnitsPerCandidateBatch,
    note: `${fixed(candidates.storeRequests)} store requests for ${fixed(perCall.candidateBatches)} batches per call: one strongly consistent GetItem of the call each, since another container may have ended the call or moved it to a new socket a moment before${perBatch > TARGETS.readUnitsPerCandidateBatch ? '; the call item is over 4 KB' : ''}`,
  });

  results.push({
    target: `At most $${TARGETS.usdPer1000Calls} per 1,000 five-minute calls`,
    measured: `$${cost.usdPer1000Calls.toFixed(4)} (with AWS latency $${cost.usdPer1000CallsWithAwsLatency.toFixed(4)})`,
    met: cost.usdPer1000Calls <= TARGETS.usdPer1000Calls,
    note: `${cost.usdPer1000Calls <= TARGETS.usdPer1000Calls ? 'largest items' : `over by $${(cost.usdPer1000Calls - TARGETS.usdPer1000Calls).toFixed(4)}; largest`}: ${[
      ...cost.lines,
    ]
      .sort((a, b) => b.usdPer1000Calls - a.usdPer1000Calls)
      .slice(0, 3)
      .map((line) => `${line.item} $${line.usdPer1000Calls.toFixed(4)}`)
      .join(', ')}`,
  });

  const largest = [...coldStart].sort((a, b) => b.bundleBytes - a.bundleBytes)[0];
  results.push({
    target: `Each handler bundle at most ${kb(TARGETS.bundleBytes)}`,
    measured: largest ? `largest ${kb(largest.bundleBytes)} (${largest.functionId})` : 'n/a',
    met: coldStart.length > 0 && coldStart.every((fn) => fn.bundleBytes <= TARGETS.bundleBytes),
    note: 'minified, AWS SDK left to the runtime, as the stack deploys it',
  });

  const slow = coldStart.filter((fn) => fn.initMedianMs > TARGETS.initMs);
  const slowest = [...coldStart].sort((a, b) => b.initMedianMs - a.initMedianMs)[0];
  const fastest = [...coldStart].sort((a, b) => a.initMedianMs - b.initMedianMs)[0];
  const slowWithSdk = slow.filter((fn) => fn.sdkPackagesAtLoad.length > 0);
  const sdkPackages = [...new Set(slowWithSdk.flatMap((fn) => fn.sdkPackagesAtLoad))].sort();
  const withoutSdk = coldStart.filter((fn) => fn.sdkPackagesAtLoad.length === 0);
  results.push({
    target: `Each handler's init at most ${TARGETS.initMs} ms`,
    measured:
      slowest && fastest
        ? `${fixed(fastest.initMedianMs)} ms (${fastest.functionId}) to ${fixed(slowest.initMedianMs)} ms (${slowest.functionId})`
        : 'n/a',
    met: coldStart.length > 0 && slow.length === 0,
    note:
      slow.length === 0
        ? 'median of fresh-process loads'
        : `${slow.length} of ${coldStart.length} over, by up to ${fixed((slowest?.initMedianMs ?? 0) - TARGETS.initMs)} ms (CPU time of the slowest: ${fixed(slowest?.initCpuMedianMs ?? Number.NaN)} ms)` +
          (slowWithSdk.length > 0 ? `; ${slowWithSdk.length} of them load ${sdkPackages.join(', ')} with the bundle` : '') +
          (withoutSdk.length > 0
            ? `; those that load no SDK package take ${withoutSdk.map((fn) => `${fixed(fn.initMedianMs)} ms (${fn.functionId})`).join(', ')}`
            : ''),
  });

  results.push({
    target: `Web client JS at most ${kb(TARGETS.clientGzipBytes)} gzipped`,
    measured: `${kb(webClient.jsGzipBytes)} gzipped (${kb(webClient.jsBytes)} minified)`,
    met: webClient.source !== 'missing' && webClient.jsGzipBytes <= TARGETS.clientGzipBytes,
    note: webClient.source === 'built' ? 'built now by web/build.ts' : (webClient.note ?? webClient.source),
  });
  return results;
}
