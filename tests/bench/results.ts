/** The bench's results as written to `results/latest.json`; `report.ts` renders them. */
import type { LatencySummary } from './stats';
import type { ColdStart } from './cold-start';
import type { ColdStartModel } from './cold-start-model';
import type { CostModel } from './cost-model';
import type { CallLogCheck } from './call-log-check';
import type { RelayName } from './dialects/dialect';
import type { LambdaSettings } from './lambda-settings';
import type { PerCallSummary } from './per-call-counts';
import type { WebClientSize } from './web-client-size';
import type { HopKind } from './workload/call-script';

export interface RelayLevelResult {
  relay: RelayName;
  concurrency: number;
  rounds: number;
  hops: Record<HopKind, LatencySummary>;
  calls: number;
  completed: number;
  delivered: number;
  lost: number;
  errors: string[];
  /** Forwarded messages that arrived, per second of round wall time. */
  forwardedPerSecond: number;
  callsPerSecond: number;
  /** Highest peak resident memory of the relay's process over the measured rounds. */
  peakMemoryBytes: number | null;
}

export interface HopRatio {
  concurrency: number;
  kind: HopKind;
  p50VsBare: number;
  p99VsBare: number;
  p50VsPeerJs: number;
  p99VsPeerJs: number;
}

/** One call, candidates one per message, paced under the candidate rate limit: the unloaded hop. */
export interface PacedResult {
  relay: RelayName;
  candidates: number;
  intervalMs: number;
  hops: LatencySummary;
  lost: number;
}

/** Many calls' candidates, one per message, all sent at once. */
export interface BurstLevelResult {
  relay: RelayName;
  calls: number;
  candidatesPerSide: number;
  rounds: number;
  messages: number;
  delivered: number;
  lost: number;
  wallMs: number;
  forwardedPerSecond: number;
  hops: LatencySummary;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean;
  /** By how much and why, where missed; what it rests on, where met. */
  note: string;
}

export interface BenchResult {
  mode: 'full' | 'quick';
  startedAt: string;
  durationSeconds: number;
  machine: { cpu: string; cores: number; node: string; platform: string };
  workload: {
    offerSdpBytes: number;
    answerSdpBytes: number;
    candidatesPerSide: number;
    candidateBurstsPerSide: number;
    levels: { concurrency: number; callsPerSlot: number }[];
    warmupRounds: number;
    measuredRounds: number;
    notes: string[];
  };
  relays: RelayLevelResult[];
  ratios: HopRatio[];
  paced: PacedResult[];
  burst: BurstLevelResult[];
  perCall: PerCallSummary;
  lambdaSettings: LambdaSettings;
  cost: CostModel;
  coldStart: ColdStart[];
  /** The grouped layout's bundles serving several functions. */
  coldStartGroups: ColdStart[];
  coldStartModel: ColdStartModel | null;
  webClient: WebClientSize;
  callLogs: CallLogCheck;
  targets: TargetResult[];
}
