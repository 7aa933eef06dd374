/**
 * The synthesized cloud assembly the as-deployed mode runs: a directory given as is, or the
 * project's `cdk.out`, synthesized first when it is missing or older than anything it is built from.
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths';

export const DEFAULT_CDK_OUT = join(PROJECT_ROOT, 'cdk.out');
/** Written on every synth: its age is the assembly's. */
const MANIFEST = 'manifest.json';
/** What the stack's template and bundles are made of. */
const SYNTH_INPUTS = ['lambdas', 'shared', 'infra/aws', 'infra/app.ts', 'package-lock.json', 'cdk.json'];
const CDK_CLI = join(PROJECT_ROOT, 'node_modules/.bin/cdk');
/** Output kept from a failed synth, to say why. */
const OUTPUT_KEPT_CHARS = 4_000;

/** The newest modification time of any file under `paths` (relative to the project root). */
async function newestInput(projectRoot: string, paths: readonly string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const full = join(projectRoot, path);
    const info = await stat(full).catch(() => undefined);
    if (!info) continue;
    if (!info.isDirectory()) {
      newest = Math.max(newest, info.mtimeMs);
      continue;
    }
    for (const entry of await readdir(full, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = await stat(join(entry.parentPath, entry.name)).catch(() => undefined);
      if (file) newest = Math.max(newest, file.mtimeMs);
    }
  }
  return newest;
}

/** True when `cdkOut` has no assembly, or one older than any synth input. */
export async function isCdkOutStale(cdkOut: string, projectRoot = PROJECT_ROOT): Promise<boolean> {
  const manifest = await stat(join(cdkOut, MANIFEST)).catch(() => undefined);
  if (!manifest) return true;
  return (await newestInput(projectRoot, SYNTH_INPUTS)) > manifest.mtimeMs;
}

/**
 * `cdk synth --quiet` (as `npm run synth` runs it, kept off the network) into `outDir`, with
 * bundling: the assembly holds each function's bundle. `context` is passed as `-c key=value`
 * (e.g. `functionLayout: 'grouped'`), as on the command line.
 */
export function synthesize(outDir: string, projectRoot = PROJECT_ROOT, context: Readonly<Record<string, string>> = {}): Promise<void> {
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  return new Promise((resolve, reject) => {
    const child = spawn(CDK_CLI, ['synth', '--quiet', '--output', outDir, ...contextArgs], {
      cwd: projectRoot,
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DISABLE_CLI_TELEMETRY: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`cdk synth failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

export interface CdkOutChoice {
  dir: string;
  /** Whether it was synthesized just now. */
  synthesized: boolean;
}

/**
 * `given` as is; otherwise the project's `cdk.out`, synthesized when stale. `starting` hears of a
 * synth before it begins: it takes tens of seconds, and a silent start would look hung.
 */
export async function ensureCdkOut(given: string | undefined, starting: () => void = () => undefined): Promise<CdkOutChoice> {
  if (given !== undefined) return { dir: given, synthesized: false };
  if (!(await isCdkOutStale(DEFAULT_CDK_OUT))) return { dir: DEFAULT_CDK_OUT, synthesized: false };
  starting();
  await synthesize(DEFAULT_CDK_OUT);
  return { dir: DEFAULT_CDK_OUT, synthesized: true };
}
