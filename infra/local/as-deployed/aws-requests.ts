/**
 * What a signed AWS SDK request asks for, in IAM's terms (who signed it is `signature-v4.ts`'s
 * answer): which actions on which resources it needs, as the services document
 * their authorization (DynamoDB's per-table and per-index ARNs, transactions checked per item
 * action, Secrets Manager's secret ARNs, execute-api's per-method connection ARNs).
 */
import { connectionArn, indexArn, secretArnPrefix, tableArn, type LocalAwsIdentity } from './local-identity';

export interface RequestedAccess {
  readonly action: string;
  readonly resource: string;
}

const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';
const SECRETS_TARGET_PREFIX = 'secretsmanager.';

/** Transaction items name the action IAM checks for them; there is no TransactWriteItems permission. */
const TRANSACT_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringField = (value: unknown, field: string): string | undefined => {
  const item = isRecord(value) ? value[field] : undefined;
  return typeof item === 'string' ? item : undefined;
};

/** A table named by name or, as DynamoDB also accepts, by ARN. */
const tableResource = (identity: LocalAwsIdentity, table: string): string => (table.startsWith('arn:') ? table : tableArn(identity, table));

/** Without duplicates; never empty, so even a request naming nothing is checked (and its caller known). */
function unique(accesses: RequestedAccess[], action: string): RequestedAccess[] {
  if (accesses.length === 0) return [{ action, resource: '*' }];
  const seen = new Set<string>();
  return accesses.filter(({ action, resource }) => {
    const key = `${action} ${resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * For `X-Amz-Target: DynamoDB_20120810.<Operation>` and its parsed JSON body; undefined when the
 * target is not a DynamoDB operation. An operation that names no table asks for `*`.
 */
export function dynamodbAccess(target: string | undefined, body: unknown, identity: LocalAwsIdentity): RequestedAccess[] | undefined {
  if (!target?.startsWith(DYNAMODB_TARGET_PREFIX)) return undefined;
  const operation = target.slice(DYNAMODB_TARGET_PREFIX.length);
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = isRecord(body) && isRecord(body.RequestItems) ? Object.keys(body.RequestItems) : [];
      return unique(
        items.map((table) => ({ action, resource: tableResource(identity, table) })),
        action,
      );
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = isRecord(body) && Array.isArray(body.TransactItems) ? body.TransactItems : [];
      return unique(
        items.flatMap((item) =>
          Object.entries(isRecord(item) ? item : {}).flatMap(([kind, request]) => {
            const itemAction = TRANSACT_ITEM_ACTIONS[kind];
            const table = stringField(request, 'TableName');
            return itemAction ? [{ action: itemAction, resource: table ? tableResource(identity, table) : '*' }] : [];
          }),
        ),
        action,
      );
    }
    case 'Query':
    case 'Scan': {
      const table = stringField(body, 'TableName');
      const index = stringField(body, 'IndexName');
      if (!table) return [{ action, resource: '*' }];
      const resource = tableResource(identity, table);
      return [{ action, resource: index ? indexArn(resource, index) : resource }];
    }
    default: {
      const table = stringField(body, 'TableName');
      return [{ action, resource: table ? tableResource(identity, table) : '*' }];
    }
  }
}

/**
 * For `X-Amz-Target: secretsmanager.<Operation>`; undefined when the target is not one. `SecretId`
 * may be an ARN or a name: `knownSecretArn` gives the full ARN of a secret that exists; for one that
 * does not, IAM still checks the ARN it would have (without the random suffix).
 */
export function secretsAccess(
  target: string | undefined,
  body: unknown,
  identity: LocalAwsIdentity,
  knownSecretArn: (secretId: string) => string | undefined,
): RequestedAccess[] | undefined {
  if (!target?.startsWith(SECRETS_TARGET_PREFIX)) return undefined;
  const action = `secretsmanager:${target.slice(SECRETS_TARGET_PREFIX.length)}`;
  const secretId = stringField(body, 'SecretId');
  if (!secretId) return [{ action, resource: '*' }];
  const resource = knownSecretArn(secretId) ?? (secretId.startsWith('arn:') ? secretId : secretArnPrefix(identity, secretId));
  return [{ action, resource }];
}

/** One call of the @connections API (`POST` posts, `GET` reads, `DELETE` closes), on a decoded connection id. */
export function managementAccess(method: string, stage: string, identity: LocalAwsIdentity, connectionId: string): RequestedAccess {
  return { action: 'execute-api:ManageConnections', resource: connectionArn(identity, stage, method, connectionId) };
}
