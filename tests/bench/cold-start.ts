/**
 * Cold start, per function of the function table: the bundle the CDK construct deploys (esbuild,
 * minified, platform node, target node22, CommonJS; see `infra/aws/handler-function.ts`) and the
 * other way of treating the AWS SDK (bundled and tree-shaken, or left to the runtime), each one's
 * size and the time to load it (`require`, which runs every module's top level) in a fresh Node
 * process started with the construct's NODE_OPTIONS. The two variants are loaded interleaved, so
 * a burst of load on a shared machine falls on both alike.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTIONS } from '../../shared/routes';
import { median } from './stats';

const run = promisify(execFile);

/** Where the AWS SDK comes from: carried in the bundle, or the copy the Lambda runtime ships. */
export type SdkSource = 'bundled' | 'runtime';

const SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

/**
 * What `HandlerFunction` passes to NodejsFunction's bundling: the single description of the deployed
 * bundles (tests/infra/bundles.test.ts holds the synthesized assets to it).
 */
export const CONSTRUCT_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  /**
   * Left to the runtime: measured (see the README's cold-start table), the bundled SDK's init is about
   * twice the CPU, since V8 still parses the ~400 KB of SDK code a handler may load on first use.
   */
  sdk: 'runtime',
  /** The ES builds first, so esbuild can drop what a handler never reaches (tree-shaking), the SDK's too when bundled. */
  mainFields: ['module', 'main'],
  nodeOptions: '--enable-source-maps',
} as const;

/** The packages esbuild leaves out of a bundle for this SDK source. */
export const externalsFor = (sdk: SdkSource): string[] => (sdk === 'runtime' ? [...SDK_PACKAGES] : []);

/** One way of bundling a function, measured. */
export interface BundleVariant {
  sdk: SdkSource;
  bundleBytes: number;
  /** Each load's wall time in a fresh process. */
  initMs: number[];
  initMedianMs: number;
  /** The CPU time (user + system) the same loads took: less disturbed by other work on a shared machine. */
  initCpuMs: number[];
  initCpuMedianMs: number;
}

/** The deployed bundle's figures at the top level (as before), the other SDK source beside them. */
export interface ColdStart extends BundleVariant {
  functionId: string;
  /** The AWS SDK packages loading the function takes from the runtime at once (the rest load on first use, if ever). */
  sdkPackagesAtLoad: string[];
  /**
   * With the SDK left to the runtime, what the first request adds: loading the SDK packages the
   * bundle refers to but did not load at init (its clients load on first use). Null when bundled.
   */
  firstUse: { packages: string[]; wallMedianMs: number; cpuMedianMs: number } | null;
  /** The same function bundled the other way. */
  alternative: BundleVariant;
}

/** A module to measure beside the function table's (e.g. one function serving several routes). */
export interface ExtraEntry {
  id: string;
  /** Module path from the project root, or an absolute path. */
  entry: string;
}

const LOAD_TIMEOUT_MS = 20_000;
/**
 * Loads the bundle named by the first argument and prints how long that took, in wall and CPU time,
 * and which SDK packages were loaded from node_modules by then.
 */
const LOAD_SCRIPT = [
  'const cpu = process.cpuUsage(); const started = performance.now();',
  'require(process.argv[1]);',
  'const wall = performance.now() - started; const used = process.cpuUsage(cpu);',
  'const sdk = [...new Set(Object.keys(require.cache).map((p) => (/node_modules\\/(@aws-sdk\\/[^/]+)/.exec(p) || [])[1]).filter(Boolean))].sort();',
  // What the first request then adds: the SDK packages the bundle refers to but did not load yet.
  'const code = require("fs").readFileSync(process.argv[1], "utf8");',
  'const later = [...new Set([...code.matchAll(/require\\("(@aws-sdk\\/[^"]+)"\\)/g)].map((m) => m[1]))].filter((p) => !sdk.includes(p)).sort();',
  // An optional package the SDK only tries (signature-v4-crt) is not installed: skipped, as it would be.
  'const resolved = later.flatMap((p) => { try { return [require.resolve(p, { paths: [require("path").dirname(process.argv[1])] })]; } catch { return []; } });',
  'const laterCpu = process.cpuUsage(); const laterStarted = performance.now();',
  'for (const path of resolved) require(path);',
  'const laterWall = performance.now() - laterStarted; const laterUsed = process.cpuUsage(laterCpu);',
  'const firstUse = { packages: later, wall: laterWall, cpu: (laterUsed.user + laterUsed.system) / 1000 };',
  'process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000, sdk, firstUse }));',
].join(' ');

interface LoadTime {
  wall: number;
  cpu: number;
  sdk: string[];
  firstUse: { packages: string[]; wall: number; cpu: number };
}

async function bundle(projectRoot: string, entry: string, outfile: string, sdk: SdkSource): Promise<number> {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [resolve(projectRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: CONSTRUCT_BUNDLING.target,
    format: CONSTRUCT_BUNDLING.format,
    minify: CONSTRUCT_BUNDLING.minify,
    mainFields: [...CONSTRUCT_BUNDLING.mainFields],
    sourcemap: true,
    sourcesContent: false,
    external: externalsFor(sdk),
    logLevel: 'error',
  });
  return (await stat(outfile)).size;
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
  const { firstUse } = time;
  if (
    typeof time.wall !== 'number' ||
    typeof time.cpu !== 'number' ||
    !Array.isArray(time.sdk) ||
    typeof firstUse?.wall !== 'number' ||
    typeof firstUse.cpu !== 'number' ||
    !Array.isArray(firstUse.packages)
  )
    throw new Error(`loading ${bundlePath} printed ${JSON.stringify(stdout)}`);
  return { wall: time.wall, cpu: time.cpu, sdk: time.sdk, firstUse };
}

interface Measuring {
  functionId: string;
  variants: Record<SdkSource, { outfile: string; bundleBytes: number; initMs: number[]; initCpuMs: number[] }>;
  sdkPackagesAtLoad: string[];
  firstUse: { packages: string[]; wallMs: number[]; cpuMs: number[] };
}

const finished = (sdk: SdkSource, measured: Measuring['variants'][SdkSource]): BundleVariant => ({
  sdk,
  bundleBytes: measured.bundleBytes,
  initMs: measured.initMs,
  initMedianMs: median(measured.initMs),
  initCpuMs: measured.initCpuMs,
  initCpuMedianMs: median(measured.initCpuMs),
});

const otherSource = (sdk: SdkSource): SdkSource => (sdk === 'bundled' ? 'runtime' : 'bundled');

/**
 * Bundles the chosen functions (and any extra entries) both ways into `workDir` (inside the project,
 * so the bundles that leave the SDK out find it in node_modules as they find it in the Lambda
 * runtime) and loads each `runs` times, the two variants alternating.
 */
export async function measureColdStarts(
  projectRoot: string,
  workDir: string,
  functionIds: readonly string[] | 'all',
  runs: number,
  extraEntries: readonly ExtraEntry[] = [],
): Promise<ColdStart[]> {
  const chosen: ExtraEntry[] = [
    ...FUNCTIONS.filter((fn) => functionIds === 'all' || functionIds.includes(fn.id)).map(({ id, entry }) => ({ id, entry })),
    ...extraEntries,
  ];
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  // The deployed asset is a bare directory, where `.js` means CommonJS (the project says "module").
  await writeFile(join(workDir, 'package.json'), '{"type":"commonjs"}\n');
  const measuring: Measuring[] = [];
  for (const fn of chosen) {
    const variant = async (sdk: SdkSource) => {
      const outfile = join(workDir, sdk, fn.id, 'index.js');
      return { outfile, bundleBytes: await bundle(projectRoot, fn.entry, outfile, sdk), initMs: [], initCpuMs: [] };
    };
    measuring.push({
      functionId: fn.id,
      variants: { bundled: await variant('bundled'), runtime: await variant('runtime') },
      sdkPackagesAtLoad: [],
      firstUse: { packages: [], wallMs: [], cpuMs: [] },
    });
  }
  // Round-robin over the functions and the variants, so a burst of load spreads over all of them.
  for (let attempt = 0; attempt < runs; attempt++) {
    for (const entry of measuring) {
      // Alternate which variant goes first, so neither always runs right after the other's disk reads.
      const order: SdkSource[] = attempt % 2 === 0 ? ['bundled', 'runtime'] : ['runtime', 'bundled'];
      for (const sdk of order) {
        const time = await loadTime(entry.variants[sdk].outfile, workDir);
        entry.variants[sdk].initMs.push(time.wall);
        entry.variants[sdk].initCpuMs.push(time.cpu);
        if (sdk === 'runtime') {
          entry.sdkPackagesAtLoad = time.sdk;
          entry.firstUse.packages = time.firstUse.packages;
          entry.firstUse.wallMs.push(time.firstUse.wall);
          entry.firstUse.cpuMs.push(time.firstUse.cpu);
        }
      }
    }
  }
  const deployed = CONSTRUCT_BUNDLING.sdk;
  return measuring.map((entry) => ({
    functionId: entry.functionId,
    ...finished(deployed, entry.variants[deployed]),
    sdkPackagesAtLoad: entry.sdkPackagesAtLoad,
    firstUse:
      deployed === 'runtime'
        ? { packages: entry.firstUse.packages, wallMedianMs: median(entry.firstUse.wallMs), cpuMedianMs: median(entry.firstUse.cpuMs) }
        : null,
    alternative: finished(otherSource(deployed), entry.variants[otherSource(deployed)]),
  }));
}
