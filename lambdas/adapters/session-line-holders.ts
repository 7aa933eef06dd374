/**
 * The line judge's look at a whiteboard session call holding a profile's line (`SessionLineHolders`):
 * one projected read of its status. Its own module so that chat functions, which only need this,
 * do not bundle the whole session store.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionLineHolders } from '../core/lines';

export class DynamoSessionLineHolders implements SessionLineHolders {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly whiteboardCallsTable: string,
  ) {}

  async isOpen(callId: string): Promise<boolean | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.whiteboardCallsTable,
        Key: { call_id: callId },
        ConsistentRead: true,
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item ? Item.status !== 'ended' : undefined;
  }
}
