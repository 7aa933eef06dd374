import { describe, expect, it } from 'vitest';
import {
  resolveString,
  resolveValue,
  UnresolvableIntrinsicError,
  type LocalResource,
  type ResolutionScope,
} from '../../infra/local/as-deployed/intrinsics';
import { localAwsIdentity } from '../../infra/local/as-deployed/local-identity';

const scope: ResolutionScope = {
  identity: localAwsIdentity('local'),
  stackName: 'CallSignal',
  resources: new Map<string, LocalResource>([
    ['Table', { ref: 'call_logs', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/call_logs' } }],
    ['Api', { ref: 'local', attributes: {} }],
  ]),
  parameters: new Map([['Stage', 'live']]),
  resourceTypes: new Map([['Logs', 'AWS::Logs::LogGroup']]),
};

const failure = (run: () => unknown): UnresolvableIntrinsicError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UnresolvableIntrinsicError) return error;
    throw error;
  }
  throw new Error('expected an UnresolvableIntrinsicError');
};

describe('intrinsic functions against the local account', () => {
  it('resolves pseudo parameters, Ref and Fn::GetAtt', () => {
    expect(resolveString({ Ref: 'AWS::Region' }, scope, 'x')).toBe('us-east-1');
    expect(resolveString({ Ref: 'AWS::AccountId' }, scope, 'x')).toBe('000000000000');
    expect(resolveString({ Ref: 'AWS::Partition' }, scope, 'x')).toBe('aws');
    expect(resolveString({ Ref: 'AWS::URLSuffix' }, scope, 'x')).toBe('amazonaws.com');
    expect(resolveString({ Ref: 'AWS::StackName' }, scope, 'x')).toBe('CallSignal');
    expect(resolveString({ Ref: 'Table' }, scope, 'x')).toBe('call_logs');
    expect(resolveString({ Ref: 'Stage' }, scope, 'x')).toBe('live');
    expect(resolveString({ 'Fn::GetAtt': ['Table', 'Arn'] }, scope, 'x')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/call_logs');
    expect(resolveString({ 'Fn::GetAtt': 'Table.Arn' }, scope, 'x')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/call_logs');
  });

  it('joins, substitutes, selects and splits', () => {
    const endpoint = {
      'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/live']],
    };
    expect(resolveString(endpoint, scope, 'x')).toBe('https://local.execute-api.us-east-1.amazonaws.com/live');
    expect(resolveString({ 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*' }, scope, 'x')).toBe(
      'arn:aws:execute-api:us-east-1:000000000000:local/*',
    );
    expect(resolveString({ 'Fn::Sub': '${Table.Arn}/index/*' }, scope, 'x')).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/call_logs/index/*',
    );
    expect(resolveString({ 'Fn::Sub': ['${Name}-${!Literal}', { Name: { Ref: 'Table' } }] }, scope, 'x')).toBe('call_logs-${Literal}');
    expect(resolveString({ 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Table', 'Arn'] }] }] }, scope, 'x')).toBe('call_logs');
  });

  it('drops what resolves to AWS::NoValue', () => {
    expect(resolveValue({ a: 'kept', b: { Ref: 'AWS::NoValue' } }, scope, 'x')).toEqual({ a: 'kept' });
    expect(resolveValue(['kept', { Ref: 'AWS::NoValue' }], scope, 'x')).toEqual(['kept']);
  });

  it('refuses what it cannot resolve, naming where it sits and what it asked for', () => {
    const unknownRef = failure(() =>
      resolveString({ 'Fn::Join': ['', ['a', { Ref: 'Logs' }]] }, scope, 'Fn.Properties.Environment.Variables.LOGS'),
    );
    expect(unknownRef.path).toBe('Fn.Properties.Environment.Variables.LOGS.Fn::Join[1][1].Ref');
    expect(unknownRef.message).toContain('Logs (AWS::Logs::LogGroup)');
    expect(failure(() => resolveString({ 'Fn::GetAtt': ['Table', 'StreamArn'] }, scope, 'x')).message).toContain('Table.StreamArn');
    expect(failure(() => resolveString({ 'Fn::If': ['IsProd', 'a', 'b'] }, scope, 'x')).message).toContain('Fn::If is not supported');
    expect(failure(() => resolveString({ 'Fn::Sub': '${Nowhere}' }, scope, 'x')).message).toContain('Nowhere');
    expect(failure(() => resolveString({ 'Fn::Select': [5, ['a']] }, scope, 'x')).message).toContain('outside a list of 1');
    expect(failure(() => resolveString({ 'Fn::Split': [',', 'a,b'] }, scope, 'x')).message).toContain('expected a string');
  });
});
