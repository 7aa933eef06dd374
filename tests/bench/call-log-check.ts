/**
 * "Every call durably logged", checked rather than assumed: after the runs, the gateway's store
 * is read back and every call the bench placed must have its call log item in a final status.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { storeClient } from '../../infra/local/store';
import { CALL_LOGS_TABLE } from '../../shared/tables';

export interface CallLogCheck {
  /** Calls the bench completed on this gateway. */
  callsPlaced: number;
  /** Call log items in the store. */
  logged: number;
  /** Of those, in status `ended` (the bench hangs up every answered call). */
  ended: number;
}

const MAX_PAGES = 1_000;

export async function checkCallLogs(storeEndpoint: string, callsPlaced: number): Promise<CallLogCheck> {
  const client = storeClient(storeEndpoint);
  try {
    let logged = 0;
    let ended = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.send(
        new ScanCommand({
          TableName: CALL_LOGS_TABLE.localName,
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) {
        logged++;
        if (item.status?.S === 'ended') ended++;
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { callsPlaced, logged, ended };
  } finally {
    client.destroy();
  }
}
