/**
 * The profile's results: the JSON `npm run bench:profile` writes (`tests/bench/results/profile.json`),
 * its Markdown page (`profile.md`), and the short section the README's Performance section shows.
 */
import type { Category } from './categories';

export type ProfiledMode = 'source' | 'as-deployed';

export interface BurstFigures {
  delivered: number;
  lost: number;
  wallMs: number;
  forwardedPerSecond: number;
  hopP50Ms: number;
  hopP99Ms: number;
}

export interface CategoryCost {
  category: Category;
  cpuMs: number;
  /** Of the busy CPU time (idle excluded). */
  share: number;
  /** CPU time per forwarded candidate message. */
  perMessageUs: number;
}

export interface ProcessCpu {
  /** `gateway`, or the function a container ran. */
  name: string;
  profiles: number;
  busyCpuMs: number;
}

export interface ModeProfile {
  mode: ProfiledMode;
  /** Which checkout's gateway ran (a label: `this branch`, or a baseline's). */
  variant: string;
  workload: { calls: number; candidatesPerSide: number; messagesPerBurst: number; measuredBursts: number };
  bursts: BurstFigures[];
  /** Median over the measured bursts. */
  forwardedPerSecond: number;
  /** Candidate messages forwarded in the measured bursts (what the CPU time is divided by). */
  forwarded: number;
  /** CPU time sampled in the measured bursts' windows, every process of the gateway, idle excluded. */
  busyCpuMs: number;
  perMessageUs: number;
  processes: ProcessCpu[];
  categories: CategoryCost[];
  topSelf: { functionName: string; location: string; category: Category; cpuMs: number; share: number }[];
}

export interface ProfileReport {
  generatedAt: string;
  machine: { cpus: number; node: string };
  modes: ModeProfile[];
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

function modeSection(mode: ModeProfile): string {
  const { workload } = mode;
  const lines = [
    `## ${mode.mode} (${mode.variant})`,
    '',
    `Workload: ${workload.calls} calls × ${2 * workload.candidatesPerSide} candidates, one message each, all sent at once ` +
      `(${workload.messagesPerBurst} messages a burst), ${workload.measuredBursts} measured bursts after one warm-up.`,
    '',
    `Forwarded: **${fixed(mode.forwardedPerSecond)} msg/s** (median); hop p50 / p99 per burst: ` +
      mode.bursts.map((burst) => `${fixed(burst.hopP50Ms)} / ${fixed(burst.hopP99Ms)} ms`).join(', ') +
      `; lost ${mode.bursts.reduce((sum, burst) => sum + burst.lost, 0)}.`,
    '',
    `CPU in the bursts: ${fixed(mode.busyCpuMs)} ms over ${mode.forwarded} forwarded messages, **${fixed(mode.perMessageUs)} µs a message**` +
      ` (${mode.processes.map((process) => `${process.name} ${fixed(process.busyCpuMs)} ms`).join(', ')}).`,
    '',
    '| category | CPU ms | share | µs per forwarded message |',
    '|---|---:|---:|---:|',
    ...mode.categories.map(
      (cost) => `| ${cost.category} | ${fixed(cost.cpuMs)} | ${percent(cost.share)} | ${fixed(cost.perMessageUs, 1)} |`,
    ),
    '',
    'Top 15 functions by self time:',
    '',
    '| function | where | category | CPU ms | share |',
    '|---|---|---|---:|---:|',
    ...mode.topSelf.map(
      (self) =>
        `| ${escapeCell(self.functionName)} | ${escapeCell(self.location || '(VM)')} | ${self.category} | ${fixed(self.cpuMs)} | ${percent(self.share)} |`,
    ),
  ];
  return lines.join('\n');
}

/** The whole page, `tests/bench/results/profile.md`. */
export function renderProfileMarkdown(report: ProfileReport): string {
  return [
    '# Where the local gateway spends its CPU under a burst',
    '',
    `Generated ${report.generatedAt} by \`npm run bench:profile\` on ${report.machine.cpus} cores, Node ${report.machine.node}. ` +
      'CPU profiles (`--cpu-prof`) of the gateway process and, as deployed, of every function container; only samples inside ' +
      'the measured bursts count. Each sample goes to the first frame, from the leaf up, of a known component ' +
      '(`tests/bench/profile/categories.ts`); idle time is left out of the shares.',
    '',
    ...report.modes.map(modeSection).flatMap((section) => [section, '']),
  ].join('\n');
}

/** A short Markdown section for the README: per mode, the figure and the largest costs per forwarded message. */
export function renderProfileSummary(report: ProfileReport, largest = 8): string {
  const modes = report.modes;
  const header = `| category | ${modes.map((mode) => `${mode.mode}: µs/msg (share)`).join(' | ')} |`;
  const categories = [...new Set(modes.flatMap((mode) => mode.categories.slice(0, largest).map((cost) => cost.category)))];
  const rows = categories.map(
    (category) =>
      `| ${category} | ${modes
        .map((mode) => {
          const cost = mode.categories.find((candidate) => candidate.category === category);
          return cost ? `${fixed(cost.perMessageUs, 1)} (${percent(cost.share)})` : '—';
        })
        .join(' | ')} |`,
  );
  return [
    '### Where the CPU goes under a burst',
    '',
    `${modes[0]?.workload.calls ?? 0} calls × ${2 * (modes[0]?.workload.candidatesPerSide ?? 0)} single-candidate messages sent at once ` +
      `(\`npm run bench:profile\`, ${report.generatedAt.slice(0, 10)}): ` +
      modes
        .map((mode) => `${mode.mode} ${fixed(mode.forwardedPerSecond)} msg/s, ${fixed(mode.perMessageUs)} µs of CPU a message`)
        .join('; ') +
      '. Details: [tests/bench/results/profile.md](tests/bench/results/profile.md).',
    '',
    header,
    `|---|${modes.map(() => '---:').join('|')}|`,
    ...rows,
    `| **all** | ${modes.map((mode) => `**${fixed(mode.perMessageUs, 1)}**`).join(' | ')} |`,
  ].join('\n');
}
