/**
 * The items of the tables as the store reads them back: each read is checked against its schema
 * here, once, so the core only ever sees well-formed records (and a malformed item is one clear
 * failure, not a field that is quietly undefined later).
 */
import * as v from 'valibot';
import { CallLogSchema } from '../../shared/protocol';
import { parseProfileKey, type ProfileKey } from '../../shared/profile';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import type { CallRecord, Dropped, DueTimer, IdKind, LineRecord, LiveSocket } from '../core/model';

const [, , BY_DEADLINE] = CALL_LOGS_TABLE.indexes;

const ProfileKeySchema = v.custom<ProfileKey>(
  (value) => typeof value === 'string' && parseProfileKey(value) !== undefined,
  'not a profile key',
);
const ID_KINDS = ['number', 'string'] as const satisfies readonly IdKind[];
const DROPPED = ['caller', 'callee', 'both'] as const satisfies readonly Dropped[];

/** A `call_logs` item: the protocol's log columns and the routing state of `CallRecord`. */
const StoredCallSchema = v.object({
  ...CallLogSchema.entries,
  caller_key: ProfileKeySchema,
  callee_key: ProfileKeySchema,
  caller_id_kind: v.picklist(ID_KINDS),
  callee_id_kind: v.picklist(ID_KINDS),
  caller_name: v.nullable(v.string()),
  caller_avatar: v.nullable(v.string()),
  callee_name: v.nullable(v.string()),
  callee_avatar: v.nullable(v.string()),
  caller_connection_id: v.string(),
  callee_connection_ids: v.array(v.string()),
  expires_at: v.string(),
  deadline_shard: v.optional(v.string()),
  deadline_at: v.optional(v.string()),
  disconnected_party: v.optional(v.picklist(DROPPED)),
});

/** A line item of `connections` (`line#{profile key}`). */
const StoredLineSchema = v.object({
  call_id: v.string(),
  caller_key: ProfileKeySchema,
  callee_key: ProfileKeySchema,
  claimed_at: v.string(),
});

/** A socket as the `by_profile` index projects it (its keys always come with it). */
const IndexedSocketSchema = v.object({ connection_id: v.string(), profile_key: ProfileKeySchema, connected_at: v.string() });

/** An entry of an index that projects only keys: the call it points at. */
const IndexedCallIdSchema = v.object({ call_id: v.string() });

/** An entry of the `by_deadline` index: a call's pending timer. */
const IndexedTimerSchema = v.object({ call_id: v.string(), [BY_DEADLINE.sortKey.name]: v.string() });

/** A position in a query, as DynamoDB hands it back (`LastEvaluatedKey`). */
const StartKeySchema = v.record(v.string(), v.unknown());

function parseItem<S extends v.GenericSchema>(schema: S, item: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, item);
  if (result.success) return result.output;
  const issues = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(item)'}: ${issue.message}`).join('; ');
  throw new Error(`Malformed ${what} in the store: ${issues}`);
}

export const callFromItem = (item: unknown): CallRecord => parseItem(StoredCallSchema, item, 'call');

export function lineFromItem(item: unknown, profileKey: ProfileKey): LineRecord {
  const line = parseItem(StoredLineSchema, item, 'line');
  return { profileKey, callId: line.call_id, callerKey: line.caller_key, calleeKey: line.callee_key, claimedAt: line.claimed_at };
}

export function socketFromIndexItem(item: unknown): LiveSocket {
  const socket = parseItem(IndexedSocketSchema, item, 'socket');
  return { connectionId: socket.connection_id, profileKey: socket.profile_key, connectedAt: socket.connected_at };
}

export const callIdFromIndexItem = (item: unknown): string => parseItem(IndexedCallIdSchema, item, 'call index entry').call_id;

export function timerFromIndexItem(item: unknown): DueTimer {
  const timer = parseItem(IndexedTimerSchema, item, 'timer index entry');
  return { callId: timer.call_id, deadlineAt: timer[BY_DEADLINE.sortKey.name] };
}

export const startKeyFromCursor = (cursor: string): Record<string, unknown> =>
  parseItem(StartKeySchema, JSON.parse(cursor), 'query cursor');
