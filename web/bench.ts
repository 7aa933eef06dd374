/**
 * `npm run bench:web`: what the web client costs and how fast it connects.
 *   - the gzipped size of the client's JavaScript (budget: 40 KB);
 *   - the time from clicking Accept to `connected` on the callee's screen, over several real video
 *     calls between two Chromium pages (real gateway, loopback-only namespace, fake media).
 *
 *   tsx web/bench.ts [--calls N] [--json]
 */
import { parseArgs } from 'node:util';
import { requireE2eEnvironment } from '../tests/e2e/support/environment';
import { freshId, World } from '../tests/e2e/support/world';
import { buildWebClient } from './build';

const JS_BUDGET_GZIP_BYTES = 40 * 1024;

const { values } = parseArgs({ options: { calls: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } } });
const calls = Math.max(1, Number(values.calls) || 10);

const build = await buildWebClient();
const size = {
  jsBytes: build.jsBytes,
  jsGzipBytes: build.jsGzipBytes,
  cssGzipBytes: build.cssGzipBytes,
  budgetGzipBytes: JS_BUDGET_GZIP_BYTES,
};

let acceptToConnected: { samplesMs: number[]; medianMs: number; p95Ms: number; minMs: number; maxMs: number } | undefined;
if (requireE2eEnvironment('bench:web')) {
  const world = await World.start();
  try {
    const caller = await world.signIn('Bench Caller', 'student', freshId());
    const callee = await world.signIn('Bench Callee', 'tutor', freshId());
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      await caller.call(callee, 'video');
      await callee.waitForIncoming();
      samples.push(await callee.acceptAndMeasure());
      await caller.waitForCallStatus('connected');
      await caller.byTestId('end-call').click();
      await callee.waitForMainView();
      await caller.waitForMainView();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    const round = (ms: number) => Math.round(ms);
    acceptToConnected = {
      samplesMs: samples.map(round),
      medianMs: round(at(0.5)),
      p95Ms: round(at(0.95)),
      minMs: round(sorted[0]!),
      maxMs: round(sorted.at(-1)!),
    };
  } finally {
    await world.close();
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ bench: 'web', ...size, acceptToConnected: acceptToConnected ?? null })}\n`);
} else {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const verdict = size.jsGzipBytes <= JS_BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  process.stdout.write(
    `Web client JS: ${kb(size.jsBytes)} minified, ${kb(size.jsGzipBytes)} gzipped (${verdict} the ${kb(JS_BUDGET_GZIP_BYTES)} budget); CSS ${kb(size.cssGzipBytes)} gzipped\n`,
  );
  if (acceptToConnected) {
    process.stdout.write(
      `Accept -> connected (video, ${calls} calls, Chromium on loopback): median ${acceptToConnected.medianMs} ms, ` +
        `p95 ${acceptToConnected.p95Ms} ms, min ${acceptToConnected.minMs} ms, max ${acceptToConnected.maxMs} ms\n`,
    );
  } else {
    process.stdout.write('Accept -> connected: not measured (no Chromium or network namespace here)\n');
  }
}
if (size.jsGzipBytes > JS_BUDGET_GZIP_BYTES) process.exitCode = 1;
