/**
 * The AWS account the as-deployed mode pretends to be, and the ARNs of its resources: the template's
 * intrinsics resolve against it and the local endpoints build the resources a request asks for
 * from it, so both sides of every IAM check speak of the same ARNs.
 */
import { createHash } from 'node:crypto';
import { LOCAL_REGION } from '../store';

export interface LocalAwsIdentity {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  /** The WebSocket API's id, as `Ref` of the `AWS::ApiGatewayV2::Api` resolves. */
  readonly apiId: string;
}

/** The whiteboard API's id (its WebSocket API's `Ref`), in both modes. */
export const WHITEBOARD_API_ID = 'whiteboard';

/** The platform API's id (the HTTP API's `Ref`), in both modes. */
export const PLATFORM_API_ID = 'platform';

/** The account id AWS documentation and local emulators use for "no real account". */
export const LOCAL_ACCOUNT_ID = '000000000000';

export function localAwsIdentity(apiId: string): LocalAwsIdentity {
  return { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, partition: 'aws', urlSuffix: 'amazonaws.com', apiId };
}

export const tableArn = (identity: LocalAwsIdentity, tableName: string): string =>
  `arn:${identity.partition}:dynamodb:${identity.region}:${identity.accountId}:table/${tableName}`;

export const indexArn = (tableArnValue: string, indexName: string): string => `${tableArnValue}/index/${indexName}`;

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Secrets Manager appends six random characters to a secret's name in its ARN; here they derive from
 * the name, so the ARN a function is told stays the same from one start to the next.
 */
export function secretArn(identity: LocalAwsIdentity, secretName: string): string {
  const digest = createHash('sha256').update(secretName).digest();
  const suffix = [...digest.subarray(0, 6)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
  return `${secretArnPrefix(identity, secretName)}-${suffix}`;
}

/** The ARN of a secret without its random suffix: what IAM sees when a caller names a secret that does not exist. */
export const secretArnPrefix = (identity: LocalAwsIdentity, secretName: string): string =>
  `arn:${identity.partition}:secretsmanager:${identity.region}:${identity.accountId}:secret:${secretName}`;

/** The resource `execute-api:ManageConnections` is checked against for one call of the @connections API. */
export const connectionArn = (identity: LocalAwsIdentity, stage: string, method: string, connectionId: string): string =>
  `arn:${identity.partition}:execute-api:${identity.region}:${identity.accountId}:${identity.apiId}/${stage}/${method.toUpperCase()}/@connections/${connectionId}`;

/** The resource `execute-api:Invoke` is checked against for one request to the platform API. */
export const invokeArn = (identity: LocalAwsIdentity, apiId: string, stage: string, method: string, path: string): string =>
  `arn:${identity.partition}:execute-api:${identity.region}:${identity.accountId}:${apiId}/${stage}/${method.toUpperCase()}${path}`;

export const roleArn = (identity: LocalAwsIdentity, roleName: string): string =>
  `arn:${identity.partition}:iam::${identity.accountId}:role/${roleName}`;

export const functionArn = (identity: LocalAwsIdentity, functionName: string): string =>
  `arn:${identity.partition}:lambda:${identity.region}:${identity.accountId}:function:${functionName}`;

/** Who a Lambda function is when it calls AWS: its role, assumed under a session named after the function. */
export const assumedRoleArn = (identity: LocalAwsIdentity, roleName: string, functionName: string): string =>
  `arn:${identity.partition}:sts::${identity.accountId}:assumed-role/${roleName}/${functionName}`;
