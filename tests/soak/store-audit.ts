/**
 * What the soak leaves in the gateway's store, read over its DynamoDB endpoint: every call's log
 * item final and the call invariants intact, and, once the sockets are closed, no socket record
 * left behind. Handlers may write after they forward (the hang-up reaches the callee before the
 * log says `ended`), so each check polls until it holds or its time is up.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storeClient } from '../../infra/local/store';
import { CONNECTIONS_TABLE, connectionItemKey } from '../../shared/tables';
import { checkCallLogs, type CallLogCheck } from '../bench/call-log-check';
import { callInvariantViolations } from '../support/invariants';

export interface CallLogAudit extends CallLogCheck {
  /** From the test's invariant checker, one sentence each. */
  violations: string[];
  /** How long after the calls the store showed all of it (or the time given up after). */
  settleMs: number;
}

const POLL_MS = 250;
const MAX_SCAN_PAGES = 1_000;
/** Every socket record's key starts with this. */
const SOCKET_KEY_PREFIX = connectionItemKey('');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface StoreAudit {
  /** Waits until all `callsPlaced` calls are logged `ended` with no invariant violated, at most `timeoutMs`. */
  callLogs(callsPlaced: number, timeoutMs: number): Promise<CallLogAudit>;
  /** Waits until no socket record is left, at most `timeoutMs`; the number left. */
  socketRecordsLeft(timeoutMs: number): Promise<number>;
  close(): void;
}

export function storeAudit(storeEndpoint: string): StoreAudit {
  const client = storeClient(storeEndpoint);
  const db = DynamoDBDocumentClient.from(client);

  const countSocketRecords = async (): Promise<number> => {
    let count = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const result = await client.send(
        new ScanCommand({
          TableName: CONNECTIONS_TABLE.localName,
          Select: 'COUNT',
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': { S: SOCKET_KEY_PREFIX } },
          ExclusiveStartKey: startKey,
        }),
      );
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return count;
  };

  return {
    async callLogs(callsPlaced, timeoutMs) {
      const started = performance.now();
      const deadline = started + timeoutMs;
      for (;;) {
        const logs = await checkCallLogs(storeEndpoint, callsPlaced);
        const allEnded = logs.logged === callsPlaced && logs.ended === callsPlaced;
        // The invariants are read once the logs are final (before that they would list calls in flight).
        const violations = allEnded || performance.now() >= deadline ? await callInvariantViolations(db) : undefined;
        if ((allEnded && violations?.length === 0) || performance.now() >= deadline) {
          return { ...logs, violations: violations ?? [], settleMs: performance.now() - started };
        }
        await sleep(POLL_MS);
      }
    },
    async socketRecordsLeft(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const left = await countSocketRecords();
        if (left === 0 || performance.now() >= deadline) return left;
        await sleep(POLL_MS);
      }
    },
    close: () => db.destroy(),
  };
}
