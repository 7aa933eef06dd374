/**
 * What a lost `$disconnect` leaves behind (API Gateway delivers it best effort; a crashed gateway
 * never does): an answered call still bound to a socket that is gone. The harness opens only live
 * sockets, so the call is re-bound in the store to an id no gateway knows (the management API
 * answers 410 for it, as for any socket that died).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CALL_LOGS_TABLE } from '../../shared/tables';

let planted = 0;

/** A connection id in API Gateway's shape that belongs to no open socket. */
export const deadConnectionId = (): string => `DeadSocket${String(planted++).padStart(4, '0')}=`;

export async function bindToDeadSockets(
  db: DynamoDBDocumentClient,
  callId: string,
  parties: { caller?: boolean; callee?: boolean },
): Promise<void> {
  const sets: string[] = [];
  const values: Record<string, unknown> = {};
  if (parties.caller) {
    sets.push('caller_connection_id = :caller');
    values[':caller'] = deadConnectionId();
  }
  if (parties.callee) {
    sets.push('callee_connection_ids = :callee');
    values[':callee'] = [deadConnectionId()];
  }
  await db.send(
    new UpdateCommand({
      TableName: CALL_LOGS_TABLE.localName,
      Key: { call_id: callId },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#status = :answered',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':answered': 'answered' },
    }),
  );
}
