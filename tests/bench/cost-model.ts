/**
 * What 1,000 five-minute calls cost on AWS, from the counts measured per call and the documented
 * prices (`aws-prices.ts`): API Gateway messages and connection-minutes, Lambda requests and
 * arm64 GB-seconds at each function's configured memory and measured duration, DynamoDB
 * on-demand units. The scheduled sweeper runs whether or not anyone calls, so it is priced per
 * month, apart. Every assumption is returned as text, to be printed next to the figures.
 */
import { BURSTS_IN_DESCRIPTION } from './dialects/gateway-dialect';
import { AWS_PRICES, type AwsPrices } from './aws-prices';
import { candidateSplitCost, type CandidateSplitCost } from './candidate-split';
import { candidateBursts } from './workload/session-content';
import type { LambdaSettings } from './lambda-settings';
import type { PerCallSummary } from './per-call-counts';
import type { SweepResult } from './relays/relay-protocol';
import { dynamoTotals } from './meters/snapshots';
import { relayCost, type RelayCost } from './relay-cost';
import { median } from './stats';

export const CALL_MINUTES = 5;
export const SOCKETS_PER_CALL = 2;
/** A typical in-region DynamoDB request or @connections post, for the "as on AWS" duration estimate. */
export const AWS_ROUND_TRIP_MS = 5;
/** Lambda gives a function one vCPU at this much memory, and a proportional share below it. */
export const FULL_VCPU_MEMORY_MB = 1_769;
/** The monthly call volume the sweeper's fixed cost is spread over, for illustration. */
export const ILLUSTRATIVE_CALLS_PER_MONTH = 100_000;
const MINUTES_PER_MONTH = 30 * 24 * 60;

export interface CostLine {
  item: string;
  perCall: number;
  unit: string;
  price: string;
  usdPer1000Calls: number;
}

export interface SweeperCost {
  runsPerMonth: number;
  durationMedianMs: number;
  readUnitsPerRun: number;
  usdPerMonth: number;
  usdPer1000CallsAtIllustrativeVolume: number;
}

export interface CostModel {
  lines: CostLine[];
  usdPer1000Calls: number;
  /** The same with each store request and post taking `AWS_ROUND_TRIP_MS` inside the handlers. */
  usdPer1000CallsWithAwsLatency: number;
  lambdaGbSecondsPerCall: number;
  lambdaGbSecondsPerCallWithAwsLatency: number;
  sweeper: SweeperCost;
  /** Billed messages a call to a seed-format peer adds (its candidates split, one per message). */
  candidateSplit: CandidateSplitCost;
  /** What TURN adds per relayed minute, by option (not in the per-call total: most calls relay nothing). */
  relay: RelayCost;
  assumptions: string[];
}

const DEFAULT_MEMORY_MB = 128;

/** Billed GB-s of one invocation: duration rounded up to the millisecond, at the function's memory. */
const gbSeconds = (durationMs: number, memoryMb: number): number => (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);

export function costModel(
  perCall: PerCallSummary,
  settings: LambdaSettings,
  sweep: { timed: SweepResult; metered: SweepResult },
  prices: AwsPrices = AWS_PRICES,
): CostModel {
  const memoryOf = (functionId: string): number => settings.byFunction[functionId]?.memoryMb ?? DEFAULT_MEMORY_MB;
  let lambdaGbSeconds = 0;
  for (const [functionId, count] of Object.entries(perCall.invocations)) {
    lambdaGbSeconds += count * gbSeconds(perCall.durationMedianMs[functionId] ?? 0, memoryOf(functionId));
  }
  // On AWS each store request and post is a network round trip, where locally it is ~1 ms.
  const extraMsPerCall = (perCall.storeRequests + perCall.posts) * AWS_ROUND_TRIP_MS;
  const typicalMemoryMb = memoryOf('call-invitation');
  const lambdaGbSecondsWithAwsLatency = lambdaGbSeconds + gbSeconds(extraMsPerCall, typicalMemoryMb);

  const per1000 = (quantity: number, perMillion: number): number => (quantity * 1000 * perMillion) / 1_000_000;
  const messages = perCall.billedMessages.total;
  const connectionMinutes = SOCKETS_PER_CALL * CALL_MINUTES;
  const { apiGateway, lambda, dynamodb } = prices;
  const lines: CostLine[] = [
    {
      item: 'API Gateway messages (in + out, 32 KB steps)',
      perCall: messages,
      unit: 'messages',
      price: `$${apiGateway.perMillionMessages.toFixed(2)} / million`,
      usdPer1000Calls: per1000(messages, apiGateway.perMillionMessages),
    },
    {
      item: 'API Gateway connection-minutes',
      perCall: connectionMinutes,
      unit: 'minutes',
      price: `$${apiGateway.perMillionConnectionMinutes.toFixed(2)} / million`,
      usdPer1000Calls: per1000(connectionMinutes, apiGateway.perMillionConnectionMinutes),
    },
    {
      item: 'Lambda requests',
      perCall: perCall.invocationsTotal,
      unit: 'invocations',
      price: `$${lambda.perMillionRequests.toFixed(2)} / million`,
      usdPer1000Calls: per1000(perCall.invocationsTotal, lambda.perMillionRequests),
    },
    {
      item: 'Lambda duration (arm64, measured locally)',
      perCall: lambdaGbSeconds,
      unit: 'GB-s',
      price: `$${lambda.perGbSecondArm64} / GB-s`,
      usdPer1000Calls: lambdaGbSeconds * 1000 * lambda.perGbSecondArm64,
    },
    {
      item: 'DynamoDB write units (table + indexes)',
      perCall: perCall.writeUnits,
      unit: 'WRU',
      price: `$${dynamodb.perMillionWriteUnits.toFixed(3)} / million`,
      usdPer1000Calls: per1000(perCall.writeUnits, dynamodb.perMillionWriteUnits),
    },
    {
      item: 'DynamoDB read units',
      perCall: perCall.readUnits,
      unit: 'RRU',
      price: `$${dynamodb.perMillionReadUnits.toFixed(3)} / million`,
      usdPer1000Calls: per1000(perCall.readUnits, dynamodb.perMillionReadUnits),
    },
  ];
  const total = lines.reduce((sum, line) => sum + line.usdPer1000Calls, 0);
  const durationLine = lines[3]!;
  const withAwsLatency = total - durationLine.usdPer1000Calls + lambdaGbSecondsWithAwsLatency * 1000 * lambda.perGbSecondArm64;

  const sweeperMemory = memoryOf('sweeper');
  const runsPerMonth = MINUTES_PER_MONTH / settings.sweepIntervalMinutes;
  const sweepMs = median(sweep.timed.durationsMs);
  const sweepRuns = Math.max(1, sweep.metered.durationsMs.length);
  const readUnitsPerRun = dynamoTotals(sweep.metered.dynamodb).readUnits / sweepRuns;
  const sweeperPerMonth =
    (runsPerMonth * lambda.perMillionRequests) / 1_000_000 +
    runsPerMonth * gbSeconds(sweepMs, sweeperMemory) * lambda.perGbSecondArm64 +
    (runsPerMonth * readUnitsPerRun * dynamodb.perMillionReadUnits) / 1_000_000;

  const memories = [...new Set(Object.values(settings.byFunction).map((fn) => `${fn.memoryMb} MB ${fn.architecture}`))].join(', ');
  return {
    lines,
    usdPer1000Calls: total,
    usdPer1000CallsWithAwsLatency: withAwsLatency,
    lambdaGbSecondsPerCall: lambdaGbSeconds,
    lambdaGbSecondsPerCallWithAwsLatency: lambdaGbSecondsWithAwsLatency,
    sweeper: {
      runsPerMonth,
      durationMedianMs: sweepMs,
      readUnitsPerRun,
      usdPerMonth: sweeperPerMonth,
      usdPer1000CallsAtIllustrativeVolume: sweeperPerMonth / (ILLUSTRATIVE_CALLS_PER_MONTH / 1000),
    },
    // The first burst rides in the offer's SDP (half-trickle): only the later ones are forwarded.
    candidateSplit: candidateSplitCost(candidateBursts('x', 'caller').slice(BURSTS_IN_DESCRIPTION), messages, prices),
    relay: relayCost(prices),
    assumptions: [
      `Prices: ${prices.region} list prices, first tier, no free tier: API Gateway WebSocket $${apiGateway.perMillionMessages} per million messages (32 KB steps) and $${apiGateway.perMillionConnectionMinutes} per million connection-minutes; Lambda $${lambda.perMillionRequests} per million requests and $${lambda.perGbSecondArm64} per GB-s (arm64); DynamoDB on demand $${dynamodb.perMillionWriteUnits} per million write units and $${dynamodb.perMillionReadUnits} per million read units.`,
      `A call: ${SOCKETS_PER_CALL} sockets (caller, callee) open for ${CALL_MINUTES} minutes, each connecting (authorizer + $connect) and disconnecting once, and each sending one keep-alive ping (the web client pings once 5 minutes pass without a frame sent or heard; a five-minute call is counted as one ping per socket, the most it can need).`,
      `Lambda settings from the synthesized stack: ${memories}. Durations are each function's median measured here, on the local gateway with its in-process store, rounded up to 1 ms per invocation; on AWS every store request and post is a network round trip, so the line "with AWS latency" adds ${AWS_ROUND_TRIP_MS} ms for each of the ${(perCall.storeRequests + perCall.posts).toFixed(1)} requests and posts per call. Both are optimistic about CPU: at ${typicalMemoryMb} MB Lambda gives a function about ${((typicalMemoryMb / FULL_VCPU_MEMORY_MB) * 100).toFixed(0)}% of a vCPU (a whole one at ${FULL_VCPU_MEMORY_MB} MB), so CPU-bound work runs several times slower there than on this machine; a deployed stack's REPORT lines give the real durations.`,
      "DynamoDB units follow the documented rules from the item sizes the store returned: writes 1 per KB (the larger of old and new item; a failed condition costs the existing item), strongly consistent reads 1 per 4 KB, eventually consistent and index reads half, queries by the total size read; index writes per global secondary index entry created, changed or removed, sized by the index's projection (read from the store's table description) plus 100 bytes of entry overhead.",
      'Not included: cold-start init duration (billed since 2025; see the cold-start table), CloudWatch Logs ingestion of the routing lines, Secrets Manager reads at cold start, storage of the call logs, data transfer.',
      `The sweeper runs every ${settings.sweepIntervalMinutes} minute(s) whatever the traffic: ${runsPerMonth.toLocaleString('en-US')} runs a month, priced apart; spread over an illustrative ${ILLUSTRATIVE_CALLS_PER_MONTH.toLocaleString('en-US')} calls a month.`,
    ],
  };
}
