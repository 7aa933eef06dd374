/**
 * Invariants every test run must leave true in the store; any test can call `callInvariantViolations`
 * after it has exercised the gateway. Each violation is one readable sentence.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallRecord } from '../../lambdas/core/model';
import { durationSeconds, isFinal } from '../../lambdas/core/rules';
import { profileKey } from '../../shared/profile';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, connectionItemKey, lineItemKey } from '../../shared/tables';

async function scanAll<T>(db: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export interface InvariantOptions {
  now?: Date;
  /** How late the sweeper may be (its interval plus a margin). */
  sweepSlackMs?: number;
}

export async function callInvariantViolations(db: DynamoDBDocumentClient, options: InvariantOptions = {}): Promise<string[]> {
  const now = (options.now ?? new Date()).getTime();
  const slack = options.sweepSlackMs ?? 3_000;
  const calls = await scanAll<CallRecord>(db, CALL_LOGS_TABLE.localName);
  const connectionItems = await scanAll<{ pk: string; call_id?: string }>(db, CONNECTIONS_TABLE.localName);
  const keys = new Set(connectionItems.map((item) => item.pk));
  const violations: string[] = [];
  const fail = (call: CallRecord, what: string) => violations.push(`call ${call.call_id} (${call.status}): ${what}`);

  for (const call of calls) {
    if (Date.parse(call.created_at) > Date.parse(call.started_at)) fail(call, 'created after it started');
    if (call.status === 'initiated' && Date.parse(call.expires_at) + slack < now) fail(call, 'still ringing past its expiry');

    if (call.status === 'answered') {
      if (!call.answered_at) fail(call, 'answered without answered_at');
      for (const [party, socket] of [
        ['caller', call.caller_connection_id],
        ['callee', call.callee_connection_ids[0]],
      ] as const) {
        const live = socket !== undefined && keys.has(connectionItemKey(socket));
        const resuming =
          (call.disconnected_party === party || call.disconnected_party === 'both') &&
          call.deadline_at !== undefined &&
          Date.parse(call.deadline_at) + slack >= now;
        if (!live && !resuming) fail(call, `its ${party} has neither a live socket nor a pending resume`);
      }
      if (call.callee_connection_ids.length !== 1) fail(call, 'answered on more than one callee socket');
    }

    if (isFinal(call.status)) {
      if (!call.ended_at) fail(call, 'final without ended_at');
      if (!call.end_reason) fail(call, 'final without end_reason');
      if (call.deadline_at !== undefined) fail(call, 'final with a pending timer');
      if (call.status === 'ended') {
        if (!call.answered_at || !call.ended_at) fail(call, 'ended without being answered');
        else if (call.duration_seconds !== durationSeconds(call.answered_at, call.ended_at)) {
          fail(call, `duration ${call.duration_seconds} does not match ${call.answered_at} → ${call.ended_at}`);
        }
      } else if (call.answered_at !== null || call.duration_seconds !== null) {
        fail(call, 'never answered, yet has an answer time or a duration');
      }
      if (call.ended_at && Date.parse(call.ended_at) < Date.parse(call.started_at)) fail(call, 'ended before it started');
      if (call.hidden_from_callee) {
        // Refused by the callee's settings: declined as if offline, before anything rang.
        if (call.status !== 'declined' || call.end_reason !== 'offline') fail(call, 'hidden from its callee, yet not declined offline');
        if (call.callee_connection_ids.length > 0) fail(call, 'hidden from its callee, yet rang its sockets');
      }
      for (const key of [call.caller_key, call.callee_key ?? profileKey(call.callee_profile_type, call.callee_profile_id)]) {
        const line = connectionItems.find((item) => item.pk === lineItemKey(key));
        if (line?.call_id === call.call_id) fail(call, `still holds the line of ${key}`);
      }
    }
  }
  return violations;
}
