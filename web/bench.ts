/**
 * `npm run bench:web`: what the web client costs and how fast a call is set up, as a person feels it.
 *   - the gzipped size of the client's JavaScript the page loads before it runs (budget: 40 KB), and of
 *     the parts it loads on demand;
 *   - click Call -> the callee's incoming screen, and click Accept -> both sides connected, over
 *     real video calls between two Chromium pages (real gateway, loopback-only namespace, fake
 *     media), in the gateway's source and as-deployed modes (web/bench/setup-latency.ts);
 *   - an AWS estimate of both, hop by hop, each overhead printed with its source (web/bench/aws-estimate.ts).
 * Writes the setup figures to tests/bench/results/setup-latency.json.
 *
 *   tsx web/bench.ts [--calls N] [--warmup N] [--mode both|source|as-deployed] [--json]
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureCdkOut } from '../infra/local/as-deployed/cdk-out';
import { requireE2eEnvironment } from '../tests/e2e/support/environment';
import type { World } from '../tests/e2e/support/world';
import { estimateOnAws, readPathCounts } from './bench/aws-estimate';
import { renderSetupLatency, SETUP_METHOD, type SetupLatencyResult } from './bench/report';
import { measureSetupLatency, type ModeSetupLatency, type SetupMode } from './bench/setup-latency';
import { buildWebClient } from './build';

const JS_BUDGET_GZIP_BYTES = 40 * 1024;
const DEFAULT_CALLS = 20;
/** Unmeasured calls first: each function's first invocation loads its module (the cold start is npm run bench's figure). */
const DEFAULT_WARMUP_CALLS = 1;
const RESULTS_FILE = new URL('../tests/bench/results/setup-latency.json', import.meta.url);
const MODE_CHOICES: Record<string, SetupMode[]> = { both: ['source', 'as-deployed'], source: ['source'], 'as-deployed': ['as-deployed'] };

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: String(DEFAULT_CALLS) },
    warmup: { type: 'string', default: String(DEFAULT_WARMUP_CALLS) },
    mode: { type: 'string', default: 'both' },
    json: { type: 'boolean', default: false },
  },
});
const calls = Math.max(1, Number(values.calls) || DEFAULT_CALLS);
const warmupCalls = Math.max(0, Number(values.warmup) || 0);
const modes = MODE_CHOICES[values.mode];
if (!modes) throw new Error(`--mode must be one of ${Object.keys(MODE_CHOICES).join(', ')}, got "${values.mode}"`);

// Whatever ends the run (Ctrl-C, a kill), the open world (browser, gateway, namespace) is closed first.
let openWorld: World | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const closing = openWorld?.close() ?? Promise.resolve();
    void closing.finally(() => process.exit(130));
  });
}

const build = await buildWebClient();
const size = {
  jsBytes: build.jsBytes,
  jsGzipBytes: build.jsGzipBytes,
  cssGzipBytes: build.cssGzipBytes,
  onDemand: build.onDemand,
  budgetGzipBytes: JS_BUDGET_GZIP_BYTES,
};

let setup: SetupLatencyResult | undefined;
if (requireE2eEnvironment('bench:web')) {
  const startedAt = new Date().toISOString();
  // Synthesized before any gateway starts: a synth inside the gateway's start would outlast its start timeout.
  const cdkOut = modes.includes('as-deployed')
    ? (await ensureCdkOut(undefined, () => process.stderr.write('synthesizing the stack for the as-deployed mode...\n'))).dir
    : undefined;
  const measured: ModeSetupLatency[] = [];
  for (const mode of modes) {
    process.stderr.write(`bench:web: ${calls} calls, ${mode} mode...\n`);
    measured.push(await measureSetupLatency(mode, calls, warmupCalls, cdkOut, (world) => (openWorld = world)));
  }
  // The as-deployed run is the one AWS runs the code of; the source run otherwise.
  const basis = measured.find((mode) => mode.mode === 'as-deployed') ?? measured[0];
  setup = {
    bench: 'web-setup',
    startedAt,
    machine: { cores: availableParallelism(), node: process.version },
    calls,
    warmupCalls,
    method: SETUP_METHOD,
    modes: measured,
    aws: basis ? estimateOnAws(basis, await readPathCounts()) : null,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(setup, null, 2)}\n`);
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ bench: 'web', ...size, setup: setup ?? null })}\n`);
} else {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const verdict = size.jsGzipBytes <= JS_BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  process.stdout.write(
    `Web client JS: ${kb(size.jsBytes)} minified, ${kb(size.jsGzipBytes)} gzipped at start (${verdict} the ${kb(JS_BUDGET_GZIP_BYTES)} budget); loaded on demand ${size.onDemand.map((part) => `${part.name} ${kb(part.jsGzipBytes)}`).join(', ')}; CSS ${kb(size.cssGzipBytes)} gzipped\n\n`,
  );
  process.stdout.write(setup ? renderSetupLatency(setup) : 'Call setup: not measured (no Chromium or network namespace here)\n');
}
if (size.jsGzipBytes > JS_BUDGET_GZIP_BYTES) process.exitCode = 1;
