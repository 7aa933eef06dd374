/** A soak's result as Markdown tables: what ran, the figures, the hop latencies, and every check. */
import { table } from '../bench/report';
import { HOP_KINDS } from '../bench/workload/call-script';
import type { HopLatency } from './latency';
import type { SoakResult } from './soak';

const num = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const sec = (ms: number): string => `${num(ms / 1000)} s`;
const count = (value: number): string => value.toLocaleString('en-US');

/** A titled bullet list, or nothing when there is nothing to list. */
function list(title: string, lines: readonly string[]): string | undefined {
  return lines.length === 0 ? undefined : `${title}:\n\n${lines.map((line) => `- ${line}`).join('\n')}`;
}

export function soakReport(result: SoakResult): string {
  const { machine, sockets, calls, messages, keepAlive, memory, deadlines } = result;
  const figures = table(
    ['figure', 'value'],
    [
      [
        'sockets opened',
        `${count(sockets.opened)} (${count(sockets.inCalls)} in calls, ${count(sockets.idle)} idle) in ${sec(sockets.openMs)}: ${num(sockets.openedPerSecond)} sockets/s`,
      ],
      [
        'simultaneous calls',
        `${count(calls.completed)} of ${count(calls.placed)} completed in ${sec(calls.wallMs)}: ${num(calls.completedPerSecond)} calls/s`,
      ],
      ['forwarded messages', `${count(messages.forwarded)} (${count(messages.lost)} lost): ${num(messages.forwardedPerSecond)} messages/s`],
      ['all frames in and out of the gateway', `${num(messages.framesPerSecond)} frames/s while the calls ran (pings and pongs included)`],
      [
        'handler invocations',
        `${count(result.invocations.total)} in the run (${count(result.invocations.failed)} failed); ${num(result.invocations.perSecondDuringCalls)}/s while the calls ran`,
      ],
      ['keep-alive', `${count(keepAlive.pongs)} of ${count(keepAlive.pings)} pings answered (round trip below)`],
      [
        'call logs final',
        `${count(result.callLogs.ended)} ended of ${count(result.callLogs.logged)} logged, ${sec(result.callLogs.settleMs)} after the last call`,
      ],
      ['gateway memory (RSS)', `${mb(memory.gatewayRssAtStartBytes)} at start, peak ${mb(memory.gatewayPeakRssBytes)}`],
      ['client process peak RSS', mb(memory.clientPeakRssBytes)],
      ['wall time', sec(result.wallMs)],
    ],
  );
  const latencyRow = (name: string, hop: HopLatency): string[] => [
    name,
    count(hop.count),
    num(hop.p50),
    num(hop.p95),
    num(hop.p99),
    num(hop.max),
  ];
  const hops = table(
    ['message', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    [
      ...HOP_KINDS.map((kind) => latencyRow(kind, result.hops[kind])),
      latencyRow('ping → pong (idle sockets, round trip)', keepAlive.roundTrip),
    ],
  );
  const checks = table(
    ['check', 'result', 'measured'],
    result.checks.map((check) => [check.name, check.passed ? 'pass' : '**FAIL**', check.detail]),
  );
  const details = [
    list(`Unrequested frames (first ${result.deliveries.examples.length})`, result.deliveries.examples),
    list('Invariant violations (first 10)', result.callLogs.violations.slice(0, 10)),
    list("The gateway's stderr, last lines", result.gatewayStderr),
  ].filter((section) => section !== undefined);
  return [
    `# Soak: ${count(result.size.sockets)} sockets, ${count(result.size.calls)} simultaneous calls`,
    '',
    `${result.startedAt.slice(0, 10)}, ${machine.cores} × ${machine.cpu}, Node ${machine.node}; load average ${num(machine.loadAverageAtStart, 2)} at start, ${num(machine.loadAverageAtEnd, 2)} at end. ` +
      `One local gateway process (real handlers, store in memory, sweeper every second); clients in this process; all on 127.0.0.1. ` +
      `Deadlines: each call ${sec(deadlines.callTimeoutMs)} from its start, each pong ${sec(deadlines.pongTimeoutMs)}, call logs ${sec(deadlines.settleTimeoutMs)}; idle sockets ping every ${sec(deadlines.pingIntervalMs)}.`,
    '',
    figures,
    '',
    "Hop latency (sender's send to receiver's arrival; a ping's to its pong's):",
    '',
    hops,
    '',
    checks,
    '',
    ...details.flatMap((section) => [section, '']),
    result.passed ? 'All checks passed.' : `**${result.checks.filter((check) => !check.passed).length} check(s) failed.**`,
    '',
  ].join('\n');
}
