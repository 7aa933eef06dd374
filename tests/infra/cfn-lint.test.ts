/**
 * An independent check of the synthesized template: Python `cfn-lint` with its current resource
 * specification (the npm package of that name carries a 2019 one and reports false errors).
 * Without it the check is skipped loudly, except under `CI=true`, where that fails.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from './support/synth';

/** Rules whose findings are CDK's own output, not ours; each with why it is noise. */
const IGNORED_RULES: Readonly<Record<string, string>> = {
  W3005: "CDK adds an explicit DependsOn from each function to its role's policy next to the GetAtt of the role; redundant, harmless",
};

interface Finding {
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

const CFN_LINT = process.env.CFN_LINT_PATH ?? 'cfn-lint';
const available = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' }).status === 0;

if (!available) {
  const why = `cfn-lint not found (${CFN_LINT}); it is Python's cfn-lint, installed on the project's machines`;
  if (process.env.CI === 'true') throw new Error(`The template check cannot run under CI=true: ${why}`);
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!! SKIPPING the cfn-lint check of the template: ${why}\n${line}\n\n`);
}

describe.runIf(available)('the synthesized template under cfn-lint', () => {
  let synth: Synthesized;
  let findings: Finding[];

  beforeAll(() => {
    synth = synthesize();
    const path = join(synth.outdir, 'template-for-cfn-lint.json');
    writeFileSync(path, JSON.stringify(synth.template.toJSON()));
    const run = spawnSync(CFN_LINT, ['--format', 'json', '--ignore-checks', ...Object.keys(IGNORED_RULES), '--', path], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    // cfn-lint exits non-zero whenever it finds something; its JSON says what.
    if (run.error || !run.stdout.trim().startsWith('[')) throw new Error(`cfn-lint did not run: ${run.error?.message ?? run.stderr}`);
    findings = JSON.parse(run.stdout) as Finding[];
  }, 150_000);
  afterAll(() => synth?.cleanup());

  const describeFinding = (finding: Finding): string => `${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`;

  it('finds no errors', () => {
    expect(findings.filter((finding) => finding.Level === 'Error').map(describeFinding)).toEqual([]);
  });

  it('finds no warnings beyond the rules ignored with a reason', () => {
    expect(findings.filter((finding) => finding.Level === 'Warning').map(describeFinding)).toEqual([]);
  });
});
