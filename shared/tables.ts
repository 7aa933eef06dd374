/**
 * DynamoDB table definitions, defined once: the local gateway creates tables from them and the
 * CDK stack declares them from them. Item keys are built here too, never at a call site.
 */
import { ENV } from './env';
import type { ProfileKey } from './profile';

export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

/**
 * What an index copies of each item. Narrow projections matter for cost: every change to a
 * projected attribute rewrites the index entry (a write unit per index), so indexes that are only
 * for finding items copy their keys, and readers fetch the items themselves.
 */
export type IndexProjection = { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: readonly string[] };

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  projection: IndexProjection;
}

export interface TableDefinition {
  /** Table name when run locally; on AWS the stack names it and passes the name in `envName`. */
  localName: string;
  envName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when the table uses TTL. */
  ttlAttribute?: string;
}

/**
 * `connections` holds three kinds of item under one partition key `pk`:
 * - a socket: `conn#{connectionId}`, with the profile it belongs to (indexed by `profile_key`);
 * - a profile's line: `line#{profileKey}`, the one call the profile is in, claimed by conditional writes
 *   (with `system: "whiteboard"` when a whiteboard session call holds it);
 * - a whiteboard socket `wbconn#{connectionId}` (indexed under `whiteboard#{profileKey}`) and a
 *   session's open call `session#{sessionId}` (see below);
 * - shared rate counters, GCRA theoretical arrival times (epoch ms) moved by conditional writes,
 *   the item expiring (TTL) once its buckets are full again: a profile's `rate#{class}#profile#{profileKey}`
 *   holds the profile's (`tat`) and each of its sockets' (`tat#{connectionId}`), so an offer moves
 *   both in one write; the unanswered rings of one caller to one callee, `rate#rings#{callerKey}>{calleeKey}`
 *   (profile keys hold neither `#` nor `>`, so no two kinds can meet).
 */
export const CONNECTIONS_TABLE = {
  localName: 'connections',
  envName: ENV.connectionsTable,
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [
    {
      indexName: 'by_profile',
      partitionKey: { name: 'profile_key', type: 'S' },
      sortKey: { name: 'connected_at', type: 'S' },
      // Enough to reach the sockets and skip expired ones; neither attribute changes while a socket lives.
      projection: { type: 'INCLUDE', attributes: ['connection_id', 'expires_at_epoch'] },
    },
  ],
  ttlAttribute: 'expires_at_epoch',
} as const satisfies TableDefinition;

/**
 * `call_logs` holds one item per call (the call's state while it lasts, its log afterwards).
 * Call ids are ULIDs, so sorting an index by `call_id` sorts by time.
 */
export const CALL_LOGS_TABLE = {
  localName: 'call_logs',
  envName: ENV.callLogsTable,
  partitionKey: { name: 'call_id', type: 'S' },
  indexes: [
    // History is read rarely and calls change often: these find call ids, the items are fetched.
    {
      indexName: 'by_caller',
      partitionKey: { name: 'caller_key', type: 'S' },
      sortKey: { name: 'call_id', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    {
      indexName: 'by_callee',
      partitionKey: { name: 'callee_key', type: 'S' },
      sortKey: { name: 'call_id', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    /**
     * Sparse: only calls with a pending timer carry `deadline_shard`: a ringing call's timeout, a
     * dropped party's resume grace, an answered call's liveness check.
     */
    {
      indexName: 'by_deadline',
      partitionKey: { name: 'deadline_shard', type: 'S' },
      sortKey: { name: 'deadline_at', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
  ],
} as const satisfies TableDefinition;

/**
 * `profile_settings` holds one item per profile that changed its call settings (who may call it, whom
 * it blocked), under its profile key; a profile without one has the defaults. Each change rewrites the
 * item guarded by its `version`, so two tabs changing it at once never lose one of the changes.
 */
export const PROFILE_SETTINGS_TABLE = {
  localName: 'profile_settings',
  envName: ENV.profileSettingsTable,
  partitionKey: { name: 'profile_key', type: 'S' },
  indexes: [],
} as const satisfies TableDefinition;

/**
 * `whiteboard_call_history` holds one item per whiteboard session call (its state while open, its
 * log afterwards), apart from `call_logs`: the two systems' calls have different members, states
 * and histories. Call ids are ULIDs, so `by_session` lists a session's calls in time order.
 */
export const WHITEBOARD_CALL_HISTORY_TABLE = {
  localName: 'whiteboard_call_history',
  envName: ENV.whiteboardCallHistoryTable,
  partitionKey: { name: 'call_id', type: 'S' },
  indexes: [
    {
      indexName: 'by_session',
      partitionKey: { name: 'session_id', type: 'S' },
      sortKey: { name: 'call_id', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    /** Sparse: only open calls carry `deadline_shard`: the window's end, the wait limit, the rejoin grace. */
    {
      indexName: 'by_deadline',
      partitionKey: { name: 'deadline_shard', type: 'S' },
      sortKey: { name: 'deadline_at', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
  ],
} as const satisfies TableDefinition;

export const TABLES = [CONNECTIONS_TABLE, CALL_LOGS_TABLE, PROFILE_SETTINGS_TABLE, WHITEBOARD_CALL_HISTORY_TABLE] as const;

/** All pending timers share one index partition; enough for one region's call rate, paged through by the sweeper. */
export const DEADLINE_SHARD = 'pending';

export const connectionItemKey = (connectionId: string): string => `conn#${connectionId}`;
export const lineItemKey = (key: ProfileKey): string => `line#${key}`;
export const profileRateItemKey = (rateClass: string, key: ProfileKey): string => `rate#${rateClass}#profile#${key}`;
export const ringPairRateItemKey = (callerKey: ProfileKey, calleeKey: ProfileKey): string => `rate#rings#${callerKey}>${calleeKey}`;
/**
 * Whiteboard sockets live in `connections` too, under a prefix of their own and indexed under a
 * profile index key of their own, so a chat lookup of a profile's sockets never returns one and
 * the reverse. A session's open call is its pointer item, put only if absent (one open call per session).
 */
export const whiteboardSocketItemKey = (connectionId: string): string => `wbconn#${connectionId}`;
export const whiteboardProfileIndexKey = (key: ProfileKey): string => `whiteboard#${key}`;
export const sessionPointerItemKey = (sessionId: string): string => `session#${sessionId}`;
/** The `system` of a line held by a whiteboard session call (absent: a chat call holds it). */
export const WHITEBOARD_LINE_SYSTEM = 'whiteboard';
/**
 * The attributes of a `call_logs` item holding each side's end-of-call quality summary: one per
 * side, top level, so that each is written once (`attribute_not_exists`) without touching the other.
 */
export const QUALITY_ATTRIBUTES = { caller: 'caller_quality', callee: 'callee_quality' } as const;

/** The attribute of a rate counter item that holds its theoretical arrival time (epoch ms). */
export const RATE_TAT_ATTRIBUTE = 'tat';
/** A socket's counter of a class, on its profile's item of that class (both move in one write). */
export const socketRateAttribute = (connectionId: string): string => `${RATE_TAT_ATTRIBUTE}#${connectionId}`;
