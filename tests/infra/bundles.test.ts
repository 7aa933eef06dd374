import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTRUCT_BUNDLING } from '../bench/cold-start';
import { resourcesOfType, synthesize, type Synthesized } from './support/synth';

/**
 * The ceiling per minified bundle (parsing it is part of every cold start), the AWS SDK left to the
 * runtime as measured faster (tests/bench/cold-start.ts). The largest, `call-invitation`, is about
 * 105 KB since it verifies grants (jose), reads settings and judges lines held by session calls.
 */
const MAX_BUNDLE_BYTES = 120 * 1024;

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({}, { bundle: true });
}, 300_000);
afterAll(() => synth?.cleanup());

function assetDirOf(handlerId: string): string {
  const id = synth.logicalId(synth.stack.handlers.functions.get(handlerId)!.function);
  const code = resourcesOfType(synth.template, 'AWS::Lambda::Function')[id]!.Properties.Code as { S3Key: string };
  return join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
}

describe('handler bundles', () => {
  it('are minified, under 120 KB, with a source map that leaves the sources out', () => {
    for (const handler of synth.stack.handlers.all) {
      const dir = assetDirOf(handler.definition.id);
      const bundle = join(dir, 'index.js');
      expect(existsSync(bundle), handler.definition.id).toBe(true);
      expect(statSync(bundle).size, handler.definition.id).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      const code = readFileSync(bundle, 'utf8');
      expect(code.split('\n').length, `${handler.definition.id} is minified`).toBeLessThan(20);
      const map = JSON.parse(readFileSync(join(dir, 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(
        map.sources.some((source) => source.includes('lambdas/handlers/')),
        handler.definition.id,
      ).toBe(true);
      expect(map.sourcesContent, handler.definition.id).toBeUndefined();
    }
  });

  it('are bundled as the cold-start benchmark measures them', () => {
    expect(CONSTRUCT_BUNDLING.sdk).toBe('runtime');
  });

  it('load no SDK client at init: each is loaded on first use, and only where the function may use it', () => {
    const loadedAtInit = (handlerId: string): string[] => {
      const script = [
        'require(process.argv[1]);',
        'const sdk = Object.keys(require.cache).map((p) => (/node_modules\\/(@aws-sdk\\/[^/]+)/.exec(p) || [])[1]).filter(Boolean);',
        'process.stdout.write(JSON.stringify([...new Set(sdk)]));',
      ].join(' ');
      const printed = execFileSync(process.execPath, ['-e', script, join(assetDirOf(handlerId), 'index.js')], {
        cwd: synth.outdir,
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
      });
      return JSON.parse(printed.toString()) as string[];
    };
    for (const id of ['ping', 'ice-servers', 'authorizer', 'call-invitation', 'session-join']) expect(loadedAtInit(id), id).toEqual([]);
  });

  it('leave the AWS SDK to the Lambda runtime', () => {
    for (const handler of synth.stack.handlers.all) {
      const code = readFileSync(join(assetDirOf(handler.definition.id), 'index.js'), 'utf8');
      // Loaded from the runtime by name (require or dynamic import)…
      expect(/(require|import)\("@aws-sdk\/client-[a-z-]+"\)/.test(code), handler.definition.id).toBe(true);
      // …rather than carried in the file with its client classes.
      expect(/class \w+Client extends/.test(code), handler.definition.id).toBe(false);
    }
  });
});
