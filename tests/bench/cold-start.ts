/**
 * Cold start, per function of the function table: the bundle the CDK construct deploys (esbuild,
 * minified, platform node, target node22, CommonJS, the AWS SDK left to the runtime; see
 * `infra/aws/handler-function.ts`), its size, and the time to load it (`require`, which runs
 * every module's top level) in a fresh Node process started with the construct's NODE_OPTIONS.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTIONS } from '../../shared/routes';
import { median } from './stats';

const run = promisify(execFile);

/** What `HandlerFunction` passes to NodejsFunction's bundling (bundleAwsSdk off). */
export const CONSTRUCT_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  external: ['@aws-sdk/*', '@smithy/*'],
  nodeOptions: '--enable-source-maps',
} as const;

export interface ColdStart {
  functionId: string;
  bundleBytes: number;
  /** The AWS SDK packages the bundle loads from the runtime when it is loaded (not lazily). */
  sdkPackagesAtLoad: string[];
  /** Each load's wall time in a fresh process. */
  initMs: number[];
  initMedianMs: number;
  /** The CPU time (user + system) the same loads took: less disturbed by other work on a shared machine. */
  initCpuMs: number[];
  initCpuMedianMs: number;
}

const LOAD_TIMEOUT_MS = 20_000;
/** Loads the bundle named by the first argument and prints how long that took, in wall and CPU time. */
const LOAD_SCRIPT = [
  'const cpu = process.cpuUsage(); const started = performance.now();',
  'require(process.argv[1]);',
  'const wall = performance.now() - started; const used = process.cpuUsage(cpu);',
  'process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000 }));',
].join(' ');

interface LoadTime {
  wall: number;
  cpu: number;
}

async function bundle(projectRoot: string, entry: string, outfile: string): Promise<number> {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [resolve(projectRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: CONSTRUCT_BUNDLING.target,
    format: CONSTRUCT_BUNDLING.format,
    minify: CONSTRUCT_BUNDLING.minify,
    sourcemap: true,
    sourcesContent: false,
    external: [...CONSTRUCT_BUNDLING.external],
    logLevel: 'warning',
  });
  return (await stat(outfile)).size;
}

/**
 * The SDK packages a bundle loads with itself: esbuild turns the static imports of an external
 * package into `require(...)` calls at the top of a CommonJS bundle, and leaves a lazy `import()`
 * as it is (that one loads only when first reached).
 */
async function sdkPackagesAtLoad(bundlePath: string): Promise<string[]> {
  const code = await readFile(bundlePath, 'utf8');
  return [...new Set([...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((match) => match[1]!))].sort();
}

async function loadTime(bundlePath: string, cwd: string): Promise<LoadTime> {
  const { stdout } = await run(process.execPath, [CONSTRUCT_BUNDLING.nodeOptions, '-e', LOAD_SCRIPT, bundlePath], {
    cwd,
    timeout: LOAD_TIMEOUT_MS,
    // A Lambda-like environment: no inherited NODE_OPTIONS or loaders, a region, nothing else of ours.
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' },
  });
  const printed: unknown = JSON.parse(stdout.trim() || 'null');
  const time = typeof printed === 'object' && printed !== null ? (printed as Partial<LoadTime>) : {};
  if (typeof time.wall !== 'number' || typeof time.cpu !== 'number')
    throw new Error(`loading ${bundlePath} printed ${JSON.stringify(stdout)}`);
  return { wall: time.wall, cpu: time.cpu };
}

/**
 * Bundles the chosen functions into `workDir` (inside the project, so the bundles find the AWS SDK
 * in node_modules as they find it in the Lambda runtime) and loads each `runs` times.
 */
export async function measureColdStarts(
  projectRoot: string,
  workDir: string,
  functionIds: readonly string[] | 'all',
  runs: number,
): Promise<ColdStart[]> {
  const chosen = FUNCTIONS.filter((fn) => functionIds === 'all' || functionIds.includes(fn.id));
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  // The deployed asset is a bare directory, where `.js` means CommonJS (the project says "module").
  await writeFile(join(workDir, 'package.json'), '{"type":"commonjs"}\n');
  const bundles: (Omit<ColdStart, 'initMedianMs' | 'initCpuMedianMs'> & { outfile: string })[] = [];
  for (const fn of chosen) {
    const outfile = join(workDir, fn.id, 'index.js');
    const bundleBytes = await bundle(projectRoot, fn.entry, outfile);
    bundles.push({
      functionId: fn.id,
      outfile,
      bundleBytes,
      sdkPackagesAtLoad: await sdkPackagesAtLoad(outfile),
      initMs: [],
      initCpuMs: [],
    });
  }
  // Round-robin over the functions, so a burst of load on a shared machine spreads over all of them.
  for (let attempt = 0; attempt < runs; attempt++) {
    for (const entry of bundles) {
      const time = await loadTime(entry.outfile, workDir);
      entry.initMs.push(time.wall);
      entry.initCpuMs.push(time.cpu);
    }
  }
  return bundles.map(({ outfile: _outfile, ...measured }) => ({
    ...measured,
    initMedianMs: median(measured.initMs),
    initCpuMedianMs: median(measured.initCpuMs),
  }));
}
