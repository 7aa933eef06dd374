import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  // Synthesizing runs the checks: an unacknowledged finding makes this throw.
  synth = synthesize({}, { nag: true });
});
afterAll(() => synth?.cleanup());

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it('pass at synth with no unacknowledged finding', () => {
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; conclusion: string }>;
    };
    // Only plugins that found something are reported.
    expect(report.pluginReports).toEqual([]);
  });

  it('fail synth on a finding nobody acknowledged', () => {
    expect(() => synthesize({}, { nag: true, extend: (stack) => new Bucket(stack, 'UncheckedBucket') })).toThrow(
      /AwsSolutions-S1[\s\S]*UncheckedBucket|UncheckedBucket[\s\S]*AwsSolutions-S1/,
    );
  });

  it('acknowledge every finding with a written reason', () => {
    const all = acknowledgements(synth.app);
    expect(all.length).toBeGreaterThan(0);
    for (const { path, id, reason } of all) {
      expect(typeof reason === 'string' && reason.trim().length >= 20, `${path}: ${id}`).toBe(true);
    }
  });
});
