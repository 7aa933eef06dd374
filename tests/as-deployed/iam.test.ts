import { describe, expect, it } from 'vitest';
import { evaluateAccess, type PolicyStatement } from '../../infra/local/as-deployed/iam';

const CALL_LOGS = 'arn:aws:dynamodb:us-east-1:000000000000:table/call_logs';
const CONNECTIONS = 'arn:aws:dynamodb:us-east-1:000000000000:table/connections';

const statement = (fields: Partial<PolicyStatement> & Pick<PolicyStatement, 'effect'>): PolicyStatement => ({
  actions: { negated: false, patterns: ['*'] },
  resources: { negated: false, patterns: ['*'] },
  source: 'TestPolicy',
  ...fields,
});
const allow = (actions: string[], resources: string[]): PolicyStatement =>
  statement({ effect: 'Allow', actions: { negated: false, patterns: actions }, resources: { negated: false, patterns: resources } });
const deny = (actions: string[], resources: string[]): PolicyStatement =>
  statement({ effect: 'Deny', actions: { negated: false, patterns: actions }, resources: { negated: false, patterns: resources } });

const ALLOWED = { allowed: true };
const IMPLICIT = { allowed: false, explicitDeny: false };
const EXPLICIT = { allowed: false, explicitDeny: true };

describe('IAM evaluation', () => {
  it('denies implicitly when no statement speaks of the request', () => {
    expect(evaluateAccess([], 'dynamodb:GetItem', CALL_LOGS)).toEqual(IMPLICIT);
    expect(evaluateAccess([allow(['dynamodb:GetItem'], [CONNECTIONS])], 'dynamodb:GetItem', CALL_LOGS)).toEqual(IMPLICIT);
    expect(evaluateAccess([allow(['dynamodb:GetItem'], [CALL_LOGS])], 'dynamodb:PutItem', CALL_LOGS)).toEqual(IMPLICIT);
  });

  it('allows when an Allow names the action and the resource', () => {
    expect(
      evaluateAccess([allow(['dynamodb:PutItem', 'dynamodb:GetItem'], [CONNECTIONS, CALL_LOGS])], 'dynamodb:GetItem', CALL_LOGS),
    ).toEqual(ALLOWED);
  });

  it('lets an explicit Deny win over any Allow, in whatever order', () => {
    const grants = allow(['dynamodb:*'], ['*']);
    const refusal = deny(['dynamodb:DeleteItem'], [CALL_LOGS]);
    expect(evaluateAccess([grants, refusal], 'dynamodb:DeleteItem', CALL_LOGS)).toEqual(EXPLICIT);
    expect(evaluateAccess([refusal, grants], 'dynamodb:DeleteItem', CALL_LOGS)).toEqual(EXPLICIT);
    expect(evaluateAccess([refusal], 'dynamodb:DeleteItem', CALL_LOGS)).toEqual(EXPLICIT);
    // A Deny that does not match leaves the Allow standing.
    expect(evaluateAccess([grants, refusal], 'dynamodb:DeleteItem', CONNECTIONS)).toEqual(ALLOWED);
  });

  it('matches action names case-insensitively, with * and ? wildcards', () => {
    expect(evaluateAccess([allow(['DynamoDB:getitem'], [CALL_LOGS])], 'dynamodb:GetItem', CALL_LOGS)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['dynamodb:Get*'], [CALL_LOGS])], 'dynamodb:GetItem', CALL_LOGS)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['dynamodb:Get*'], [CALL_LOGS])], 'dynamodb:BatchGetItem', CALL_LOGS)).toEqual(IMPLICIT);
    expect(evaluateAccess([allow(['dynamodb:?etItem'], [CALL_LOGS])], 'dynamodb:GetItem', CALL_LOGS)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['*'], [CALL_LOGS])], 'secretsmanager:GetSecretValue', CALL_LOGS)).toEqual(ALLOWED);
  });

  it('matches resources case-sensitively', () => {
    expect(
      evaluateAccess([allow(['dynamodb:GetItem'], [CALL_LOGS])], 'dynamodb:GetItem', CALL_LOGS.replace('call_logs', 'Call_Logs')),
    ).toEqual(IMPLICIT);
    expect(evaluateAccess([allow(['dynamodb:GetItem'], [`${CALL_LOGS}*`])], 'dynamodb:GetItem', `${CALL_LOGS.toUpperCase()}`)).toEqual(
      IMPLICIT,
    );
  });

  it('lets * span slashes and colons, and ? stand for exactly one character', () => {
    const index = `${CALL_LOGS}/index/by_caller`;
    expect(evaluateAccess([allow(['dynamodb:Query'], [`${CALL_LOGS}/index/*`])], 'dynamodb:Query', index)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['dynamodb:Query'], [`${CALL_LOGS}*`])], 'dynamodb:Query', index)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['dynamodb:Query'], ['arn:aws:dynamodb:*'])], 'dynamodb:Query', index)).toEqual(ALLOWED);
    // The table's own ARN is not under its index pattern.
    expect(evaluateAccess([allow(['dynamodb:Query'], [`${CALL_LOGS}/index/*`])], 'dynamodb:Query', CALL_LOGS)).toEqual(IMPLICIT);
    const connection = 'arn:aws:execute-api:us-east-1:000000000000:local/live/POST/@connections/abc=';
    expect(
      evaluateAccess(
        [allow(['execute-api:ManageConnections'], ['arn:aws:execute-api:us-east-1:000000000000:local/live/*/@connections/*'])],
        'execute-api:ManageConnections',
        connection,
      ),
    ).toEqual(ALLOWED);
    expect(
      evaluateAccess(
        [allow(['execute-api:ManageConnections'], ['arn:aws:execute-api:us-east-1:000000000000:local/other/*/@connections/*'])],
        'execute-api:ManageConnections',
        connection,
      ),
    ).toEqual(IMPLICIT);
    const secret = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-AbC123';
    expect(
      evaluateAccess(
        [allow(['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-??????'])],
        'secretsmanager:GetSecretValue',
        secret,
      ),
    ).toEqual(ALLOWED);
    expect(
      evaluateAccess(
        [allow(['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-?????'])],
        'secretsmanager:GetSecretValue',
        secret,
      ),
    ).toEqual(IMPLICIT);
    expect(
      evaluateAccess(
        [allow(['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt-???????'])],
        'secretsmanager:GetSecretValue',
        secret,
      ),
    ).toEqual(IMPLICIT);
  });

  it('treats every other character of a pattern literally', () => {
    const bucket = 'arn:aws:s3:::site.bucket+(1)';
    expect(evaluateAccess([allow(['s3:GetObject'], [bucket])], 's3:GetObject', bucket)).toEqual(ALLOWED);
    expect(evaluateAccess([allow(['s3:GetObject'], [bucket])], 's3:GetObject', 'arn:aws:s3:::siteXbucket+(1)')).toEqual(IMPLICIT);
    expect(
      evaluateAccess([allow(['s3:GetObject'], ['arn:aws:s3:::site.bucket+(1)*'])], 's3:GetObject', 'arn:aws:s3:::siteXbucket+(1)/key'),
    ).toEqual(IMPLICIT);
  });

  it('reads NotAction as every action but those listed', () => {
    const allButDelete = statement({
      effect: 'Allow',
      actions: { negated: true, patterns: ['dynamodb:Delete*'] },
      resources: { negated: false, patterns: [CALL_LOGS] },
    });
    expect(evaluateAccess([allButDelete], 'dynamodb:GetItem', CALL_LOGS)).toEqual(ALLOWED);
    expect(evaluateAccess([allButDelete], 'dynamodb:DeleteItem', CALL_LOGS)).toEqual(IMPLICIT);
    const denyAllButRead = statement({
      effect: 'Deny',
      actions: { negated: true, patterns: ['dynamodb:GetItem'] },
      resources: { negated: false, patterns: ['*'] },
    });
    expect(evaluateAccess([allow(['*'], ['*']), denyAllButRead], 'dynamodb:PutItem', CALL_LOGS)).toEqual(EXPLICIT);
    expect(evaluateAccess([allow(['*'], ['*']), denyAllButRead], 'dynamodb:GetItem', CALL_LOGS)).toEqual(ALLOWED);
  });

  it('reads NotResource as every resource but those listed', () => {
    const denyOutsideConnections = statement({
      effect: 'Deny',
      actions: { negated: false, patterns: ['dynamodb:*'] },
      resources: { negated: true, patterns: [`${CONNECTIONS}*`] },
    });
    const statements = [allow(['dynamodb:*'], ['*']), denyOutsideConnections];
    expect(evaluateAccess(statements, 'dynamodb:PutItem', CALL_LOGS)).toEqual(EXPLICIT);
    expect(evaluateAccess(statements, 'dynamodb:PutItem', `${CONNECTIONS}/index/by_profile`)).toEqual(ALLOWED);
    const allowAllButCallLogs = statement({
      effect: 'Allow',
      actions: { negated: false, patterns: ['dynamodb:GetItem'] },
      resources: { negated: true, patterns: [CALL_LOGS] },
    });
    expect(evaluateAccess([allowAllButCallLogs], 'dynamodb:GetItem', CONNECTIONS)).toEqual(ALLOWED);
    expect(evaluateAccess([allowAllButCallLogs], 'dynamodb:GetItem', CALL_LOGS)).toEqual(IMPLICIT);
  });

  it('never allows through a statement with a Condition, but denies through one', () => {
    const condition = { StringEquals: { 'aws:SourceVpc': 'vpc-1' } };
    const conditionalAllow = statement({
      effect: 'Allow',
      actions: { negated: false, patterns: ['dynamodb:GetItem'] },
      resources: { negated: false, patterns: [CALL_LOGS] },
      condition,
    });
    expect(evaluateAccess([conditionalAllow], 'dynamodb:GetItem', CALL_LOGS)).toEqual(IMPLICIT);
    const conditionalDeny = statement({
      effect: 'Deny',
      actions: { negated: false, patterns: ['dynamodb:GetItem'] },
      resources: { negated: false, patterns: [CALL_LOGS] },
      condition,
    });
    expect(evaluateAccess([allow(['dynamodb:GetItem'], [CALL_LOGS]), conditionalDeny], 'dynamodb:GetItem', CALL_LOGS)).toEqual(EXPLICIT);
  });
});
