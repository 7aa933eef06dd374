/**
 * The line judge's look at a whiteboard session call holding a profile's line (`SessionLineHolders`):
 * one projected read of its status. Its own module so that chat functions, which only need this,
 * do not bundle the whole session store.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SessionLineHolders } from '../core/lines';
import { getItem } from './document';

export class DynamoSessionLineHolders implements SessionLineHolders {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly whiteboardCallsTable: string,
  ) {}

  async isOpen(callId: string): Promise<boolean | undefined> {
    const item = await getItem(this.db, {
      TableName: this.whiteboardCallsTable,
      Key: { call_id: callId },
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    });
    return item ? item.status !== 'ended' : undefined;
  }
}
