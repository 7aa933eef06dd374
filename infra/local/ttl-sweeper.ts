/**
 * Deletes expired items, which DynamoDB does on its own through TTL but dynalite never does.
 * Like DynamoDB, this is a late cleanup: readers still filter on the TTL attribute themselves.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../shared/tables';

export async function deleteExpiredItems(
  client: DynamoDBClient,
  tables: readonly TableDefinition[],
  nowEpochSeconds = Math.floor(Date.now() / 1000),
): Promise<number> {
  let deleted = 0;
  for (const table of tables) {
    if (!table.ttlAttribute) continue;
    const keyNames = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
    const names: Record<string, string> = { '#ttl': table.ttlAttribute };
    for (const [i, name] of keyNames.entries()) names[`#key${i}`] = name;
    const expired = { ConditionExpression: '#ttl < :now', ExpressionAttributeValues: { ':now': { N: String(nowEpochSeconds) } } };
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table.localName,
          FilterExpression: expired.ConditionExpression,
          ProjectionExpression: keyNames.map((_, i) => `#key${i}`).join(', '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: expired.ExpressionAttributeValues,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const key of page.Items ?? []) {
        try {
          // Conditional, so an item renewed since the scan survives.
          await client.send(
            new DeleteItemCommand({
              TableName: table.localName,
              Key: key,
              ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
              ...expired,
            }),
          );
          deleted++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return deleted;
}
