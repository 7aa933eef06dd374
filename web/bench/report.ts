/**
 * The call-setup results (`npm run bench:web`) as one JSON shape and as Markdown, for the terminal,
 * `tests/bench/results/setup-latency.json` and the README's Performance section.
 */
import type { AwsSetupEstimate, FigureEstimate } from './aws-estimate';
import type { Distribution, ModeSetupLatency, PathHandler } from './setup-latency';

export interface SetupLatencyResult {
  bench: 'web-setup';
  startedAt: string;
  machine: { cores: number; node: string };
  /** Measured calls per mode, after `warmupCalls` unmeasured ones (each function's first invocation loads it). */
  calls: number;
  warmupCalls: number;
  /** How each figure was timed, in words (printed with it). */
  method: string;
  modes: ModeSetupLatency[];
  aws: AwsSetupEstimate | null;
}

export const SETUP_METHOD =
  'Video calls between two headless Chromium pages (fake media, loopback-only namespace), one at a time. ' +
  "Each figure runs from the click event's own timestamp in the clicking page to the moment the target entered the other page's DOM " +
  "(a MutationObserver in each page), both as performance.timeOrigin + performance.now(): one epoch clock, checked against the bench process's own. " +
  "Call -> incoming: the caller's click on Call (video) to the callee's incoming-call screen. " +
  "Accept -> connected: the callee's click on Accept to the later of the two pages' call screens reading connected (a call is set up when each side hears the other). " +
  "ICE/DTLS: the caller's answer applied to its RTCPeerConnection reaching connected.";

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');

function distributionCells(d: Distribution): string {
  return `${ms(d.p50)} | ${ms(d.p95)} | ${ms(d.min)} | ${ms(d.max)}`;
}

function handlersText(handlers: readonly PathHandler[]): string {
  if (handlers.length === 0) return 'none seen';
  return handlers.map((h) => `${h.route} ×${h.perCall} (${ms(h.medianMs)})`).join(', ');
}

/** Each distinct source once, numbered, so the tables cite `[n]` instead of repeating it. */
function sourceNumber(sources: string[], source: string): number {
  const known = sources.indexOf(source);
  if (known >= 0) return known + 1;
  sources.push(source);
  return sources.length;
}

function estimateTable(title: string, estimate: FigureEstimate, sources: string[]): string[] {
  return [
    `**${title}** (from the local p50, ${ms(estimate.localP50Ms)}): **${ms(estimate.totalMs)}**`,
    '',
    '| step | ms | source |',
    '|---|---:|---|',
    ...estimate.lines.map((line) => `| ${line.step} | ${line.ms.toFixed(1)} | [${sourceNumber(sources, line.source)}] |`),
    '',
  ];
}

/** The results as Markdown: the measured table per mode, the handlers on the path, and the AWS estimate with its sources. */
export function renderSetupLatency(result: SetupLatencyResult): string {
  const lines = [
    `### Call setup as a person feels it (${result.calls} calls per mode after ${result.warmupCalls} warm-up, ${result.startedAt.slice(0, 10)})`,
    '',
    result.method,
    '',
    '| mode | figure | p50 | p95 | min | max |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const mode of result.modes) {
    lines.push(`| ${mode.mode} | click Call -> incoming screen | ${distributionCells(mode.callToIncoming)} |`);
    lines.push(`| ${mode.mode} | click Accept -> both connected | ${distributionCells(mode.acceptToConnected)} |`);
    lines.push(`| ${mode.mode} | of which ICE/DTLS (loopback) | ${distributionCells(mode.iceDtls)} |`);
  }
  lines.push('', 'Handlers on the path (invocations per call, median duration from the routing lines):', '');
  for (const mode of result.modes) {
    lines.push(
      `- ${mode.mode}: Call -> Accept: ${handlersText(mode.callPhaseHandlers)}; Accept -> connected: ${handlersText(mode.acceptPhaseHandlers)}`,
    );
  }
  lines.push('');
  const aws = result.aws;
  if (aws) {
    lines.push(`#### On AWS, estimated (warm, from the ${aws.basedOnMode} run)`, '');
    const sources: string[] = [];
    lines.push(...estimateTable('Click Call -> incoming screen', aws.callToIncoming, sources));
    lines.push(...estimateTable('Click Accept -> both connected', aws.acceptToConnected, sources));
    lines.push('Sources:', '', ...sources.map((source, index) => `${index + 1}. ${source}`), '');
    lines.push(...aws.notes.map((note) => `- ${note}`), '');
  }
  lines.push(
    `Measured on a ${result.machine.cores}-core machine (Node ${result.machine.node}) shared with other work: absolute figures are noisy.`,
  );
  return `${lines.join('\n')}\n`;
}
