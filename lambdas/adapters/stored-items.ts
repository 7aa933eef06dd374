/**
 * The items of the tables as the store reads them back: each read is checked against its schema
 * here, once, so the core only ever sees well-formed records (and a malformed item is one clear
 * failure, not a field that is quietly undefined later).
 */
import * as v from 'valibot';
import { CallQualitySummarySchema } from '../../shared/call-quality';
import { parseConnectFeatures, type ConnectFeature } from '../../shared/connect-features';
import { CallLogSchema, ProfileIdSchema, ProfileTypeSchema, WHO_CAN_CALL } from '../../shared/protocol';
import { parseProfileKey, profileKey, type ProfileKey } from '../../shared/profile';
import { CALL_LOGS_TABLE, QUALITY_ATTRIBUTES, WHITEBOARD_LINE_SYSTEM } from '../../shared/tables';
import type { CallOrigin, CallRecord, Dropped, DueTimer, IdKind, LineRecord, LiveSocket } from '../core/model';
import type { StoredProfileSettings } from '../core/profile-settings';

const [, , BY_DEADLINE] = CALL_LOGS_TABLE.indexes;

const ProfileKeySchema = v.custom<ProfileKey>(
  (value) => typeof value === 'string' && parseProfileKey(value) !== undefined,
  'not a profile key',
);
const ID_KINDS = ['number', 'string'] as const satisfies readonly IdKind[];
const DROPPED = ['caller', 'callee', 'both'] as const satisfies readonly Dropped[];
const ORIGINS = ['platform'] as const satisfies readonly CallOrigin[];

/**
 * A `call_logs` item: the protocol's log columns and the routing state of `CallRecord`. A call kept
 * out of the callee's history has no `callee_key` (so `by_callee` does not list it).
 */
const StoredCallSchema = v.pipe(
  v.object({
    ...CallLogSchema.entries,
    caller_key: ProfileKeySchema,
    callee_key: v.optional(ProfileKeySchema),
    hidden_from_callee: v.optional(v.literal(true)),
    caller_id_kind: v.picklist(ID_KINDS),
    callee_id_kind: v.picklist(ID_KINDS),
    caller_name: v.nullable(v.string()),
    caller_avatar: v.nullable(v.string()),
    callee_name: v.nullable(v.string()),
    callee_avatar: v.nullable(v.string()),
    caller_connection_id: v.string(),
    callee_connection_ids: v.array(v.string()),
    origin: v.optional(v.picklist(ORIGINS)),
    accepted_by: v.optional(v.string()),
    expires_at: v.string(),
    deadline_shard: v.optional(v.string()),
    deadline_at: v.optional(v.string()),
    disconnected_party: v.optional(v.picklist(DROPPED)),
    [QUALITY_ATTRIBUTES.caller]: v.optional(CallQualitySummarySchema),
    [QUALITY_ATTRIBUTES.callee]: v.optional(CallQualitySummarySchema),
  }),
  v.forward(
    v.check((item) => item.callee_key !== undefined || item.hidden_from_callee === true, 'missing'),
    ['callee_key'],
  ),
);

/** A line item of `connections` (`line#{profile key}`). */
const StoredLineSchema = v.object({
  call_id: v.string(),
  caller_key: ProfileKeySchema,
  callee_key: ProfileKeySchema,
  claimed_at: v.string(),
  system: v.optional(v.literal(WHITEBOARD_LINE_SYSTEM)),
});

/** A socket as the `by_profile` index projects it (its keys always come with it). */
const IndexedSocketSchema = v.object({ connection_id: v.string(), profile_key: ProfileKeySchema, connected_at: v.string() });

/** The features a socket's record holds (absent: none declared); names this version does not know are skipped. */
const StoredSocketFeaturesSchema = v.object({
  connection_id: v.string(),
  features: v.optional(v.array(v.string()), []),
});

/** An entry of an index that projects only keys: the call it points at. */
const IndexedCallIdSchema = v.object({ call_id: v.string() });

/** An entry of the `by_deadline` index: a call's pending timer. */
const IndexedTimerSchema = v.object({ call_id: v.string(), [BY_DEADLINE.sortKey.name]: v.string() });

/** A `profile_settings` item. */
const StoredProfileSettingsSchema = v.object({
  who_can_call: v.picklist(WHO_CAN_CALL),
  blocked: v.array(
    v.object({
      profile_id: ProfileIdSchema,
      profile_type: ProfileTypeSchema,
      name: v.nullable(v.string()),
      blocked_at: v.string(),
    }),
  ),
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
});

/** A position in a query, as DynamoDB hands it back (`LastEvaluatedKey`). */
const StartKeySchema = v.record(v.string(), v.unknown());

function parseItem<S extends v.GenericSchema>(schema: S, item: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, item);
  if (result.success) return result.output;
  const issues = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(item)'}: ${issue.message}`).join('; ');
  throw new Error(`Malformed ${what} in the store: ${issues}`);
}

export function callFromItem(item: unknown): CallRecord {
  const { callee_key, caller_quality, callee_quality, ...call } = parseItem(StoredCallSchema, item, 'call');
  const quality = { ...(caller_quality ? { caller: caller_quality } : {}), ...(callee_quality ? { callee: callee_quality } : {}) };
  return {
    ...call,
    // The callee is still a party of the call (to the core), only not listed as one for its history.
    callee_key: callee_key ?? profileKey(call.callee_profile_type, call.callee_profile_id),
    ...(caller_quality || callee_quality ? { quality } : {}),
  };
}

export function lineFromItem(item: unknown, profileKey: ProfileKey): LineRecord {
  const line = parseItem(StoredLineSchema, item, 'line');
  return {
    profileKey,
    callId: line.call_id,
    callerKey: line.caller_key,
    calleeKey: line.callee_key,
    claimedAt: line.claimed_at,
    ...(line.system !== undefined ? { system: line.system } : {}),
  };
}

export function socketFromIndexItem(item: unknown): LiveSocket {
  const socket = parseItem(IndexedSocketSchema, item, 'socket');
  return { connectionId: socket.connection_id, profileKey: socket.profile_key, connectedAt: socket.connected_at };
}

export function socketFeaturesFromItem(item: unknown): { connectionId: string; features: ConnectFeature[] } {
  const socket = parseItem(StoredSocketFeaturesSchema, item, 'socket');
  return { connectionId: socket.connection_id, features: parseConnectFeatures(socket.features.join(',')) };
}

export const callIdFromIndexItem = (item: unknown): string => parseItem(IndexedCallIdSchema, item, 'call index entry').call_id;

export function timerFromIndexItem(item: unknown): DueTimer {
  const timer = parseItem(IndexedTimerSchema, item, 'timer index entry');
  return { callId: timer.call_id, deadlineAt: timer[BY_DEADLINE.sortKey.name] };
}

export function profileSettingsFromItem(item: unknown): StoredProfileSettings {
  const stored = parseItem(StoredProfileSettingsSchema, item, 'profile settings');
  return {
    whoCanCall: stored.who_can_call,
    blocked: stored.blocked.map((entry) => ({
      key: profileKey(entry.profile_type, entry.profile_id),
      profileId: entry.profile_id,
      profileType: entry.profile_type,
      name: entry.name,
      blockedAt: entry.blocked_at,
    })),
    version: stored.version,
  };
}

export const startKeyFromCursor = (cursor: string): Record<string, unknown> =>
  parseItem(StartKeySchema, JSON.parse(cursor), 'query cursor');
