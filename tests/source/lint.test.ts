/**
 * The source tree as the project keeps it: formatted and linted by Biome (`.biome.json`,
 * `npm run lint`) and type-checked strictly (`npm run typecheck`), so `npm test` fails on either.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';

const bin = (name: string): string => join(PROJECT_ROOT, 'node_modules/.bin', name);

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the source tree', () => {
  it('is formatted and lint-clean under the project Biome settings', () => {
    const { status, output } = run(bin('biome'), ['check', '--reporter=summary', '.']);
    expect(status, output).toBe(0);
  });

  it('type-checks strictly: the service, the web client and its build scripts', () => {
    for (const project of ['.', 'web', 'web/tsconfig.node.json']) {
      const { status, output } = run(bin('tsc'), ['--noEmit', '-p', project]);
      expect(status, `${project}:\n${output}`).toBe(0);
    }
  }, 120_000);
});
