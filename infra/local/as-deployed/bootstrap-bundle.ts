/**
 * Bundles the container bootstrap (`lambda-runtime.ts`) into one CommonJS file with esbuild, at
 * gateway start, so containers run it with plain `node`: no TypeScript loader in a container.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME_SOURCE = fileURLToPath(new URL('./lambda-runtime.ts', import.meta.url));
/** `.cjs`: CommonJS whatever package.json (if any) sits above the output directory. */
const BOOTSTRAP_FILE = 'bootstrap.cjs';

/** Writes the bootstrap into `outDir`; resolves with its path. */
export async function bundleBootstrap(outDir: string): Promise<string> {
  // Loaded here, not at the top: source mode never needs esbuild.
  const { build } = await import('esbuild');
  const outfile = join(outDir, BOOTSTRAP_FILE);
  await build({
    entryPoints: [RUNTIME_SOURCE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}
