import { describe, expect, it } from 'vitest';
import { dynamodbAccess, managementAccess, secretsAccess } from '../../infra/local/as-deployed/aws-requests';
import { localAwsIdentity } from '../../infra/local/as-deployed/local-identity';

const identity = localAwsIdentity('local');
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table';
const target = (operation: string): string => `DynamoDB_20120810.${operation}`;

describe('what a DynamoDB request asks for', () => {
  it('asks for the operation on the table for single-item calls', () => {
    for (const operation of ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'DescribeTable', 'ConditionCheckItem']) {
      expect(dynamodbAccess(target(operation), { TableName: 'call_logs' }, identity)).toEqual([
        { action: `dynamodb:${operation}`, resource: `${TABLE}/call_logs` },
      ]);
    }
  });

  it('takes a table given by its ARN as it is', () => {
    expect(dynamodbAccess(target('GetItem'), { TableName: `${TABLE}/call_logs` }, identity)).toEqual([
      { action: 'dynamodb:GetItem', resource: `${TABLE}/call_logs` },
    ]);
  });

  it('asks for the index when a Query or Scan names one', () => {
    expect(dynamodbAccess(target('Query'), { TableName: 'call_logs', IndexName: 'by_caller' }, identity)).toEqual([
      { action: 'dynamodb:Query', resource: `${TABLE}/call_logs/index/by_caller` },
    ]);
    expect(dynamodbAccess(target('Scan'), { TableName: 'connections' }, identity)).toEqual([
      { action: 'dynamodb:Scan', resource: `${TABLE}/connections` },
    ]);
    expect(dynamodbAccess(target('Query'), { TableName: `${TABLE}/call_logs`, IndexName: 'by_callee' }, identity)).toEqual([
      { action: 'dynamodb:Query', resource: `${TABLE}/call_logs/index/by_callee` },
    ]);
  });

  it('asks for batch operations once per table', () => {
    const body = { RequestItems: { connections: { Keys: [{}, {}] }, call_logs: { Keys: [{}] } } };
    expect(dynamodbAccess(target('BatchGetItem'), body, identity)).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: `${TABLE}/connections` },
      { action: 'dynamodb:BatchGetItem', resource: `${TABLE}/call_logs` },
    ]);
    expect(dynamodbAccess(target('BatchWriteItem'), { RequestItems: { call_logs: [{}, {}] } }, identity)).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: `${TABLE}/call_logs` },
    ]);
  });

  it('asks for each transaction item by its own action, once per table', () => {
    const body = {
      TransactItems: [
        { Put: { TableName: 'call_logs' } },
        { Update: { TableName: 'connections' } },
        { Update: { TableName: 'connections' } },
        { ConditionCheck: { TableName: 'call_logs' } },
        { Delete: { TableName: 'connections' } },
      ],
    };
    expect(dynamodbAccess(target('TransactWriteItems'), body, identity)).toEqual([
      { action: 'dynamodb:PutItem', resource: `${TABLE}/call_logs` },
      { action: 'dynamodb:UpdateItem', resource: `${TABLE}/connections` },
      { action: 'dynamodb:ConditionCheckItem', resource: `${TABLE}/call_logs` },
      { action: 'dynamodb:DeleteItem', resource: `${TABLE}/connections` },
    ]);
    expect(dynamodbAccess(target('TransactGetItems'), { TransactItems: [{ Get: { TableName: 'call_logs' } }] }, identity)).toEqual([
      { action: 'dynamodb:GetItem', resource: `${TABLE}/call_logs` },
    ]);
  });

  it('asks for * when the request names no table', () => {
    expect(dynamodbAccess(target('ListTables'), {}, identity)).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
    expect(dynamodbAccess(target('BatchWriteItem'), {}, identity)).toEqual([{ action: 'dynamodb:BatchWriteItem', resource: '*' }]);
    expect(dynamodbAccess(target('GetItem'), null, identity)).toEqual([{ action: 'dynamodb:GetItem', resource: '*' }]);
  });

  it('is not a DynamoDB request without a DynamoDB target', () => {
    expect(dynamodbAccess(undefined, { TableName: 'call_logs' }, identity)).toBeUndefined();
    expect(dynamodbAccess('secretsmanager.GetSecretValue', {}, identity)).toBeUndefined();
  });
});

describe('what a Secrets Manager request asks for', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:CallSignal/SigningSecret-AbC123';
  const known = (id: string): string | undefined => (id === arn || id === 'CallSignal/SigningSecret' ? arn : undefined);

  it('asks for the secret by its full ARN, whether named by ARN or by name', () => {
    expect(secretsAccess('secretsmanager.GetSecretValue', { SecretId: arn }, identity, known)).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: arn },
    ]);
    expect(secretsAccess('secretsmanager.GetSecretValue', { SecretId: 'CallSignal/SigningSecret' }, identity, known)).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: arn },
    ]);
  });

  it('asks for the ARN an unknown secret would have', () => {
    expect(secretsAccess('secretsmanager.GetSecretValue', { SecretId: 'other' }, identity, known)).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:other' },
    ]);
    const otherArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:other-XyZ789';
    expect(secretsAccess('secretsmanager.GetSecretValue', { SecretId: otherArn }, identity, known)).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: otherArn },
    ]);
  });

  it('is not a Secrets Manager request without its target', () => {
    expect(secretsAccess(undefined, { SecretId: arn }, identity, known)).toBeUndefined();
    expect(secretsAccess('DynamoDB_20120810.GetItem', { SecretId: arn }, identity, known)).toBeUndefined();
  });
});

describe('what a management API call asks for', () => {
  it('asks for ManageConnections on the method and connection of the stage', () => {
    expect(managementAccess('post', 'live', identity, 'Ab1cD2eF3gH=')).toEqual({
      action: 'execute-api:ManageConnections',
      resource: 'arn:aws:execute-api:us-east-1:000000000000:local/live/POST/@connections/Ab1cD2eF3gH=',
    });
    expect(managementAccess('DELETE', 'live', identity, 'x').resource).toBe(
      'arn:aws:execute-api:us-east-1:000000000000:local/live/DELETE/@connections/x',
    );
  });
});
