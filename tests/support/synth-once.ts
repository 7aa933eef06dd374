/**
 * Vitest global setup of the as-deployed suites: synthesizes the stack once per test run (with its
 * bundles, by the same `cdk synth` as `npm run synth`) into a temp dir, and tells every worker
 * where it is. A `CALLSIGNAL_CDK_OUT` already set (a cached assembly) is used as it is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../infra/local/as-deployed/cdk-out';
import { CDK_OUT_ENV } from './gateway-mode';

export default async function synthesizeOnce(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[CDK_OUT_ENV]) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'callsignal-test-cdk-out-'));
  const started = Date.now();
  try {
    await synthesize(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  process.stderr.write(`as-deployed suites: synthesized the stack into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // Read by the workers vitest starts after this setup (their environment is taken from this process's).
  process.env[CDK_OUT_ENV] = dir;
  return async () => {
    delete process.env[CDK_OUT_ENV];
    await rm(dir, { recursive: true, force: true });
  };
}
