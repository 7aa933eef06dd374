/**
 * What a soak must show, each check one sentence of evidence: every call completed, nothing lost,
 * nothing misrouted or unasked for, no refusal, every call log final with the invariants intact,
 * idle sockets still answering, no handler failure, no socket record left. Never a speed.
 */
import type { RoundResult } from '../bench/workload/rounds';
import type { SoakSize } from './config';
import type { DeliveryAudit } from './delivery-audit';
import type { HopLatency } from './latency';
import type { CallLogAudit } from './store-audit';

export interface SoakCheck {
  name: string;
  passed: boolean;
  /** What was measured, in words. */
  detail: string;
}

export interface SoakEvidence {
  size: SoakSize;
  round: Pick<RoundResult, 'completed' | 'delivered' | 'lost'>;
  /** Keep-alive pings sent by idle sockets over the run, and the pongs that came in time. */
  pings: number;
  pongs: number;
  idleSockets: number;
  /** Idle sockets that answered the last ping, after the calls. */
  idleAnsweringAtEnd: number;
  deliveries: DeliveryAudit;
  refusals: readonly string[];
  callLogs: CallLogAudit;
  /** Each hop kind's latency and the keep-alive round trip: every one must have been measured. */
  latencies: readonly { name: string; summary: HopLatency }[];
  invocationsTotal: number;
  failedByFunction: Record<string, number>;
  socketRecordsLeft: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function judgeSoak(evidence: SoakEvidence): SoakCheck[] {
  const { size, round, deliveries, refusals, callLogs } = evidence;
  const pongsLost = evidence.pings - evidence.pongs;
  const failed = Object.values(evidence.failedByFunction).reduce((sum, count) => sum + count, 0);
  const unmeasured = evidence.latencies.filter(({ summary }) => summary.count === 0 || !Number.isFinite(summary.p99));
  return [
    {
      name: 'every call completed',
      passed: round.completed === size.calls,
      detail: `${round.completed} of ${size.calls}`,
    },
    {
      name: 'no message lost',
      passed: round.lost === 0 && pongsLost === 0,
      detail: `${round.lost} call messages and ${pongsLost} pongs of ${round.delivered + round.lost + evidence.pings} waited for`,
    },
    {
      name: 'no message misrouted',
      passed: deliveries.misrouted === 0,
      detail: `${deliveries.misrouted} arrived at a socket outside their call (on idle sockets: anything but their own pongs)`,
    },
    {
      name: 'no frame nobody asked for',
      passed: deliveries.unrequested === 0,
      detail:
        deliveries.unrequested === 0
          ? 'every frame received was a call message, call_ringing or pong its socket waited for'
          : `${deliveries.unrequested}: ${Object.entries(deliveries.byKind)
              .map(([kind, count]) => `${kind} ${count}`)
              .join(', ')}`,
    },
    {
      name: 'no refusal',
      passed: refusals.length === 0,
      detail: refusals.length === 0 ? 'no error or call_declined sent' : `${refusals.length}, first: ${refusals[0]}`,
    },
    {
      name: 'every hop measured',
      passed: unmeasured.length === 0,
      detail:
        unmeasured.length === 0
          ? `p50/p95/p99/max of ${evidence.latencies.map(({ name }) => name).join(', ')}`
          : `no samples of ${unmeasured.map(({ name }) => name).join(', ')}`,
    },
    {
      name: 'every call log final',
      passed: callLogs.logged === size.calls && callLogs.ended === size.calls,
      detail: `${callLogs.ended} of ${callLogs.logged} logged calls ended (${size.calls} placed), ${seconds(callLogs.settleMs)} after the calls`,
    },
    {
      name: 'call invariants hold',
      passed: callLogs.violations.length === 0,
      detail:
        callLogs.violations.length === 0
          ? 'callInvariantViolations: none'
          : `${callLogs.violations.length}, first: ${callLogs.violations[0]}`,
    },
    {
      name: 'every idle socket still answering',
      passed: evidence.idleAnsweringAtEnd === evidence.idleSockets,
      detail: `${evidence.idleAnsweringAtEnd} of ${evidence.idleSockets} answered a ping after the calls`,
    },
    {
      name: 'no handler invocation failed',
      passed: failed === 0,
      detail:
        failed === 0
          ? `0 of ${evidence.invocationsTotal} ended in an error or a timeout`
          : `${failed} of ${evidence.invocationsTotal}: ${Object.entries(evidence.failedByFunction)
              .map(([id, count]) => `${id} ${count}`)
              .join(', ')}`,
    },
    {
      name: 'every socket record removed on close',
      passed: evidence.socketRecordsLeft === 0,
      detail: `${evidence.socketRecordsLeft} of ${size.sockets} left after $disconnect`,
    },
  ];
}
