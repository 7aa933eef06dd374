/**
 * `npm run bench:profile`: the local gateway under the burst (`workload/burst.ts`), with CPU
 * profiles of its process and, as deployed, of every function container; the samples inside the
 * measured bursts added up by component. Writes `tests/bench/results/profile.{json,md}`.
 *
 *   npm run bench:profile -- [--mode source|as-deployed|both] [--bursts 3] [--calls 50] [--candidates 20]
 *                            [--baseline DIR]   (also profiles another checkout, interleaved, for an A/B)
 *                            [--out DIR]        (where the results go; default tests/bench/results)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTAINER_NODE_ARGS_ENV } from '../../../infra/local/as-deployed/container-pool';
import { CDK_OUT_ENV, GATEWAY_MODE_ENV } from '../../support/gateway-mode';
import { loadTestGatewayEnvironment } from '../config';
import { gatewayDialect } from '../dialects/gateway-dialect';
import { PROJECT_ROOT, startRelayProcess } from '../relays/relay-process';
import { percentile } from '../stats';
import { runBurst, type BurstSpec } from '../workload/burst';
import { closePairs, openPairs } from '../workload/rounds';
import { CATEGORIES } from './categories';
import {
  addProfile,
  addScaled,
  emptyTotals,
  keepSourceMap,
  monotonicMicros,
  pidOfProfile,
  readCpuProfile,
  type ProfileTotals,
  type Window,
} from './cpu-profile';
import { cpuBetween, processTree, type CpuUsed } from './process-tree';
import {
  renderProfileMarkdown,
  type BurstFigures,
  type ModeProfile,
  type ProcessCpu,
  type ProfiledMode,
  type ProfileReport,
} from './report';

const TOP_FUNCTIONS = 15;
/** Profile ids clear of the bench's own (its slots start at 10,000). */
const FIRST_PROFILE_ID = 700_000;

interface Variant {
  label: string;
  /** The checkout whose gateway runs (its relay entry, its infra/local). */
  root: string;
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'both' },
    bursts: { type: 'string', default: '3' },
    calls: { type: 'string', default: '50' },
    candidates: { type: 'string', default: '20' },
    baseline: { type: 'string' },
    out: { type: 'string', default: join(PROJECT_ROOT, 'tests/bench/results') },
  },
});

const positiveInteger = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, got ${text}`);
  return value;
};

const modes: ProfiledMode[] =
  values.mode === 'both' ? ['source', 'as-deployed'] : values.mode === 'source' || values.mode === 'as-deployed' ? [values.mode] : [];
if (modes.length === 0) throw new Error(`--mode must be source, as-deployed or both, got ${values.mode}`);
const measuredBursts = positiveInteger('bursts', values.bursts);
const spec: BurstSpec = {
  calls: positiveInteger('calls', values.calls),
  candidatesPerSide: positiveInteger('candidates', values.candidates),
  timeoutMs: 60_000,
};
const variants: Variant[] = [
  { label: 'this branch', root: PROJECT_ROOT },
  ...(values.baseline ? [{ label: `baseline ${values.baseline}`, root: values.baseline }] : []),
];

/** Every `.cpuprofile` under `dir`, with the process it came from (its subfolder). */
async function profilesUnder(dir: string): Promise<{ process: string; path: string }[]> {
  const found: { process: string; path: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.cpuprofile'))
      found.push({ process: entry.parentPath.slice(dir.length + 1) || 'gateway', path: join(entry.parentPath, entry.name) });
  }
  return found;
}

/** One gateway, profiled: a warm-up burst, then the measured ones, then a clean stop (which writes the profiles). */
async function profileOnce(mode: ProfiledMode, variant: Variant): Promise<ModeProfile> {
  const dir = await mkdtemp(join(tmpdir(), `callsignal-profile-${mode}-`));
  try {
    const secret = randomBytes(32).toString('hex');
    const containerDir = join(dir, 'containers');
    const relay = await startRelayProcess('gateway', {
      projectRoot: variant.root,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'gateway')}`],
      env: {
        ...loadTestGatewayEnvironment(secret),
        [GATEWAY_MODE_ENV]: mode,
        ...(mode === 'as-deployed'
          ? { [CONTAINER_NODE_ARGS_ENV]: `--cpu-prof --cpu-prof-dir=${containerDir}`, [CDK_OUT_ENV]: join(variant.root, 'cdk.out') }
          : {}),
      },
    });
    const windows: Window[] = [];
    const bursts: BurstFigures[] = [];
    /** CPU each process of the gateway used inside the windows, from the kernel. */
    const cpuInWindows = new Map<number, CpuUsed>();
    try {
      const dialect = gatewayDialect(relay.port, secret);
      const pairs = await openPairs(dialect, spec.calls, FIRST_PROFILE_ID);
      try {
        await runBurst(dialect, pairs, spec);
        for (let burst = 0; burst < measuredBursts; burst++) {
          // The window is the burst itself: the calls' setup and ends are outside it.
          const before = processTree(relay.pid);
          const result = await runBurstInWindow(dialect, pairs, windows);
          const after = processTree(relay.pid);
          for (const [pid, used] of cpuBetween(before, after)) {
            const sum = cpuInWindows.get(pid) ?? { cpuMs: 0, mainThreadCpuMs: 0 };
            cpuInWindows.set(pid, { cpuMs: sum.cpuMs + used.cpuMs, mainThreadCpuMs: sum.mainThreadCpuMs + used.mainThreadCpuMs });
          }
          // A container's bundle is deleted when the gateway stops: its source map is read now.
          for (const sample of after) if (sample.cwd?.includes('/task/')) keepSourceMap(join(sample.cwd, 'index.js'));
          bursts.push(result);
        }
      } finally {
        await closePairs(pairs);
      }
    } finally {
      await relay.stop();
    }
    return summarize(mode, variant, bursts, windows, cpuInWindows, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  async function runBurstInWindow(
    dialect: ReturnType<typeof gatewayDialect>,
    pairs: Awaited<ReturnType<typeof openPairs>>,
    into: Window[],
  ): Promise<BurstFigures> {
    const result = await runBurst(dialect, pairs, spec, {
      started: () => into.push({ startUs: monotonicMicros(), endUs: Number.POSITIVE_INFINITY }),
      finished: () => {
        const window = into.at(-1);
        if (window) window.endUs = monotonicMicros();
      },
    });
    return {
      delivered: result.delivered,
      lost: result.lost,
      wallMs: result.wallMs,
      forwardedPerSecond: result.forwardedPerSecond,
      hopP50Ms: percentile(result.hopsMs, 50),
      hopP99Ms: percentile(result.hopsMs, 99),
    };
  }
}

async function summarize(
  mode: ProfiledMode,
  variant: Variant,
  bursts: BurstFigures[],
  windows: Window[],
  cpuInWindows: ReadonlyMap<number, CpuUsed>,
  dir: string,
): Promise<ModeProfile> {
  const busy = (totals: ProfileTotals): number => totals.sampledMs - (totals.byCategory.get('idle') ?? 0);
  const all = emptyTotals();
  const processes = new Map<string, { totals: ProfileTotals; profiles: number }>();
  for (const found of await profilesUnder(dir)) {
    const profile = readCpuProfile(found.path);
    if (!profile) {
      process.stderr.write(`${found.process}: ${basename(found.path)} is not whole (its process was killed while writing it); left out\n`);
      continue;
    }
    const one = emptyTotals();
    addProfile(one, profile, PROJECT_ROOT, windows);
    // Idle is not CPU; the busy sampled time includes waits for a core, so it is scaled to the CPU
    // the kernel says the main thread used in the windows; the other threads' CPU is a category of its own.
    const sampledBusy = busy(one);
    one.byCategory.delete('idle');
    one.sampledMs = sampledBusy;
    const pid = pidOfProfile(basename(found.path));
    const used = pid === undefined ? undefined : cpuInWindows.get(pid);
    const factor = used !== undefined && sampledBusy > 0 ? used.mainThreadCpuMs / sampledBusy : 1;
    if (used) {
      const offThread = Math.max(0, used.cpuMs - used.mainThreadCpuMs);
      one.byCategory.set('other threads (GC helpers, libuv)', offThread / factor);
      one.sampledMs += offThread / factor;
    }
    addScaled(all, one, factor);
    const name = found.process === 'gateway' ? 'gateway' : 'containers';
    const entry = processes.get(name) ?? { totals: emptyTotals(), profiles: 0 };
    addScaled(entry.totals, one, factor);
    entry.profiles++;
    processes.set(name, entry);
  }
  const busyCpuMs = busy(all);
  const forwarded = bursts.reduce((sum, burst) => sum + burst.delivered, 0);
  const perMessage = (ms: number): number => (forwarded > 0 ? (ms * 1000) / forwarded : 0);
  const share = (ms: number): number => (busyCpuMs > 0 ? ms / busyCpuMs : 0);
  const processCpu: ProcessCpu[] = [...processes].map(([name, entry]) => ({
    name,
    profiles: entry.profiles,
    busyCpuMs: busy(entry.totals),
  }));
  return {
    mode,
    variant: variant.label,
    workload: {
      calls: spec.calls,
      candidatesPerSide: spec.candidatesPerSide,
      messagesPerBurst: spec.calls * 2 * spec.candidatesPerSide,
      measuredBursts,
    },
    bursts,
    forwardedPerSecond: percentile(
      bursts.map((burst) => burst.forwardedPerSecond),
      50,
    ),
    forwarded,
    busyCpuMs,
    perMessageUs: perMessage(busyCpuMs),
    processes: processCpu,
    categories: CATEGORIES.filter((category) => category !== 'idle')
      .map((category) => {
        const cpuMs = all.byCategory.get(category) ?? 0;
        return { category, cpuMs, share: share(cpuMs), perMessageUs: perMessage(cpuMs) };
      })
      .filter((cost) => cost.cpuMs > 0)
      .sort((a, b) => b.cpuMs - a.cpuMs),
    topSelf: [...all.selfTimes.values()]
      .filter((self) => self.category !== 'idle')
      .sort((a, b) => b.cpuMs - a.cpuMs)
      .slice(0, TOP_FUNCTIONS)
      .map((self) => ({ ...self, share: share(self.cpuMs) })),
  };
}

async function main(): Promise<void> {
  const results: ModeProfile[] = [];
  for (const mode of modes) {
    // Variants one after another per mode, so a baseline and this branch meet the same machine.
    for (const variant of variants) {
      const result = await profileOnce(mode, variant);
      results.push(result);
      process.stdout.write(
        `${mode} (${variant.label}): ${result.forwardedPerSecond.toFixed(0)} msg/s, ${result.perMessageUs.toFixed(0)} µs CPU a message; ` +
          `${result.categories
            .slice(0, 6)
            .map((cost) => `${cost.category} ${cost.perMessageUs.toFixed(0)}`)
            .join(', ')}\n`,
      );
    }
  }
  const report: ProfileReport = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.versions.node },
    modes: results,
  };
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'profile.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(values.out, 'profile.md'), renderProfileMarkdown(report));
  process.stdout.write(`wrote ${join(values.out, 'profile.json')} and profile.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
