import { describe, expect, it } from 'vitest';
import { SIGNING_SECRET_TAG } from '../../infra/aws/signing-secret-tag';
import { pickSigningSecretArn, StackSecretError } from '../../infra/aws/stack-secret';

const entry = (arn: string, stackName: string) => ({ ARN: arn, Tags: [{ Key: SIGNING_SECRET_TAG, Value: stackName }] });

describe('finding a stack signing secret', () => {
  it('picks the secret tagged with exactly the stack name (the tag filter matches by prefix)', () => {
    const entries = [entry('arn:dev', 'CallSignal-dev'), entry('arn:main', 'CallSignal')];
    expect(pickSigningSecretArn(entries, 'CallSignal')).toBe('arn:main');
    expect(pickSigningSecretArn(entries, 'CallSignal-dev')).toBe('arn:dev');
  });

  it('says where to look when the stack has no secret here, and refuses to guess between two', () => {
    expect(() => pickSigningSecretArn([entry('arn:dev', 'CallSignal-dev')], 'CallSignal')).toThrow(StackSecretError);
    expect(() => pickSigningSecretArn([], 'CallSignal')).toThrow(/region/);
    expect(() => pickSigningSecretArn([entry('arn:a', 'CallSignal'), entry('arn:b', 'CallSignal')], 'CallSignal')).toThrow(/arn:a, arn:b/);
  });
});
