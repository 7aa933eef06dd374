/**
 * The environment the handler modules read (once, at import or cold start): the same variable
 * names the CDK stack sets on AWS, pointed at this process's store and management API.
 */
import { ENV } from '../../shared/env';
import { TABLES } from '../../shared/tables';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './store';

export interface HandlerEnvironmentInput {
  dynamodbEndpoint: string;
  managementEndpoint: string;
  ringTimeoutSeconds: number;
  resumeGraceSeconds: number;
  jwtSecret: string;
}

export function handlerEnvironment(input: HandlerEnvironmentInput): Record<string, string> {
  return {
    ...Object.fromEntries(TABLES.map((table) => [table.envName, table.localName])),
    [ENV.managementEndpoint]: input.managementEndpoint,
    [ENV.ringTimeoutSeconds]: String(input.ringTimeoutSeconds),
    [ENV.resumeGraceSeconds]: String(input.resumeGraceSeconds),
    [ENV.jwtSecret]: input.jwtSecret,
    // An unmodified `new DynamoDBClient({})` in a handler lands on the embedded store.
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamodbEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // Never ask an instance metadata service for credentials or a region.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Applies it to this process; a real session token would not match the dummy keys, so it goes. */
export function applyHandlerEnvironment(environment: Record<string, string>, target: NodeJS.ProcessEnv = process.env): void {
  delete target.AWS_SESSION_TOKEN;
  Object.assign(target, environment);
}
