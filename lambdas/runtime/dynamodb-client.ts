/**
 * The DynamoDB client a runtime's adapters share (one connection pool per function). Its own module,
 * reached through `import()`, so that only a function that touches a table loads the client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const newDynamoDBClient = (): DynamoDBClient => new DynamoDBClient({});

/** The DocumentClient over it, for an adapter that takes one. */
export const documentClientOf = (client: DynamoDBClient): DynamoDBDocumentClient => DynamoDBDocumentClient.from(client);
