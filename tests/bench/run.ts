/**
 * `npm run bench`: the full benchmark, printed as Markdown, written to `tests/bench/results/`
 * (latest.json, latest.md) and into the README's Performance section.
 *
 *   tsx tests/bench/run.ts [--quick] [--no-write] [--render-only]
 *
 * `--quick` runs the reduced version (a few calls; figures meaningless) and writes nothing.
 * `--render-only` measures nothing: it judges the targets and renders the report again from the
 * saved latest.json (after a change to the report or the targets).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBenchmark } from './benchmark';
import { FULL_RUN, QUICK_RUN } from './config';
import { PROJECT_ROOT } from './relays/relay-process';
import { fullReport, readmeSection } from './report';
import { updateReadmeSection } from './readme-section';
import type { BenchResult } from './results';
import { judgeTargets } from './targets';

// The SDK's notice that its 2027 releases need Node 22 is noise here (the Lambda runtime is Node 22).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'render-only': { type: 'boolean', default: false },
  },
});
const config = values.quick ? QUICK_RUN : FULL_RUN;
const write = !values.quick && !values['no-write'];
const resultsDir = join(PROJECT_ROOT, 'tests/bench/results');

async function savedResult(): Promise<BenchResult> {
  const saved = JSON.parse(await readFile(join(resultsDir, 'latest.json'), 'utf8')) as BenchResult;
  return { ...saved, targets: judgeTargets(saved) };
}

const result = values['render-only']
  ? await savedResult()
  : await runBenchmark({
      config,
      workDir: join(PROJECT_ROOT, '.bench'),
      log: (line) => process.stderr.write(`${line}\n`),
    });
const report = fullReport(result);
process.stdout.write(`${report}\n`);

if (write) {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(resultsDir, 'latest.md'), report);
  const readmeUpdated = await updateReadmeSection(join(PROJECT_ROOT, 'README.md'), readmeSection(result));
  process.stderr.write(
    `Wrote tests/bench/results/latest.json and latest.md${readmeUpdated ? " and the README's Performance section" : ' (the README has no bench markers)'}.\n`,
  );
}
