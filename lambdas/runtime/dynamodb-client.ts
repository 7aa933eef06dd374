/**
 * The DynamoDB client a runtime's adapters share (one connection pool per function). Its own module,
 * reached through `import()`, so that only a function that touches a table loads the client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * `cacheMiddleware`: each command class's middleware stack is resolved once per client rather than
 * on every send (the adapters send plain commands only, `adapters/document.ts`, which allow it).
 */
export const newDynamoDBClient = (): DynamoDBClient => new DynamoDBClient({ cacheMiddleware: true });
