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
import { pathToFileURL } from 'node:url';
import { renderProfileSummary, type ProfileReport } from './profile/report';
import { fullReport, readmeSection, type CompanionResults } from './report';
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
  return JSON.parse(await readFile(join(resultsDir, 'latest.json'), 'utf8')) as BenchResult;
}

/** A result another bench command wrote, or undefined when it has not run. */
async function companion<T>(name: string): Promise<T | undefined> {
  const text = await readFile(join(resultsDir, name), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * The web bench's renderer, loaded by path: it belongs to web/ and is typed by its configuration
 * (its imports reach the browser tests' page code).
 */
async function setupLatencySection(): Promise<string | undefined> {
  const saved = await companion<unknown>('setup-latency.json');
  if (saved === undefined) return undefined;
  const module: unknown = await import(pathToFileURL(join(PROJECT_ROOT, 'web/bench/report.ts')).href);
  const render = typeof module === 'object' && module !== null ? (module as Record<string, unknown>).renderSetupLatency : undefined;
  return typeof render === 'function' ? String(render(saved)) : undefined;
}

const profile = await companion<ProfileReport>('profile.json');
const companions: CompanionResults = {
  ...(profile ? { profileSummary: renderProfileSummary(profile) } : {}),
  ...(await setupLatencySection().then((section) => (section ? { setupLatency: section } : {}))),
};
const measured = values['render-only']
  ? await savedResult()
  : await runBenchmark({
      config,
      workDir: join(PROJECT_ROOT, '.bench'),
      log: (line) => process.stderr.write(`${line}\n`),
    });
// The misses are explained from the latest profile of the source mode, where one was taken.
const sourceProfile = profile?.modes.find((mode) => mode.mode === 'source');
const result: BenchResult = {
  ...measured,
  targets: judgeTargets({
    ...measured,
    ...(sourceProfile
      ? {
          profile: {
            mode: 'source',
            categories: sourceProfile.categories.map((cost) => ({
              name: cost.category,
              share: cost.share,
              microsPerMessage: cost.perMessageUs,
            })),
          },
        }
      : {}),
  }),
};
const report = fullReport(result, companions);
process.stdout.write(`${report}\n`);

if (write) {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(resultsDir, 'latest.md'), report);
  const readmeUpdated = await updateReadmeSection(join(PROJECT_ROOT, 'README.md'), readmeSection(result, companions));
  process.stderr.write(
    `Wrote tests/bench/results/latest.json and latest.md${readmeUpdated ? " and the README's Performance section" : ' (the README has no bench markers)'}.\n`,
  );
}
