/**
 * The SessionStore on DynamoDB: whiteboard sockets and session pointers in `connections` (under
 * their own keys, `shared/tables.ts`), session calls in `whiteboard_call_history`. Single-item
 * conditional writes only; each call write is guarded by the version it read.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as v from 'valibot';
import { CallQualitySummarySchema, type CallQualitySummary } from '../../shared/call-quality';
import type { ProfileKey } from '../../shared/profile';
import { CallTypeSchema } from '../../shared/protocol';
import {
  SESSION_CALL_STATUSES,
  SESSION_END_REASONS,
  SESSION_ROLES,
  SessionEventSchema,
  type SessionRole,
} from '../../shared/session-protocol';
import {
  CONNECTIONS_TABLE,
  DEADLINE_SHARD,
  WHITEBOARD_CALL_HISTORY_TABLE,
  sessionPointerItemKey,
  whiteboardProfileIndexKey,
  whiteboardSocketItemKey,
} from '../../shared/tables';
import type { SessionLineHolders } from '../core/lines';
import type { LiveSocket } from '../core/model';
import type { SessionCallRecord, SessionStore, WhiteboardSocket } from '../core/sessions/model';
import { batchGetItems, deleteItem, getItem, isConditionFailure, newestCallsPage, putItem, query, updateItem, type Item } from './document';
import { DynamoSessionLineHolders } from './session-line-holders';

export interface SessionTableNames {
  connections: string;
  whiteboardCalls: string;
}

const [BY_PROFILE] = CONNECTIONS_TABLE.indexes;
const [BY_SESSION, BY_DEADLINE] = WHITEBOARD_CALL_HISTORY_TABLE.indexes;
const TTL = CONNECTIONS_TABLE.ttlAttribute;
const INDEX_PREFIX = whiteboardProfileIndexKey('' as ProfileKey);

async function unlessConditionFails(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const MemberSchema = v.object({
  key: v.custom<ProfileKey>((value) => typeof value === 'string' && value.length > 0),
  profile_type: v.string(),
  profile_id: v.string(),
  id_kind: v.picklist(['number', 'string']),
  name: v.nullable(v.string()),
  avatar: v.nullable(v.string()),
  socket: v.nullable(v.string()),
  absent_since: v.nullable(v.string()),
  ever_joined: v.boolean(),
});

const StoredSessionCallSchema = v.object({
  call_id: v.string(),
  session_id: v.string(),
  call_type: CallTypeSchema,
  status: v.picklist(SESSION_CALL_STATUSES),
  started_by: v.picklist(SESSION_ROLES),
  started_at: v.string(),
  connected_at: v.nullable(v.string()),
  ended_at: v.nullable(v.string()),
  end_reason: v.nullable(v.picklist(SESSION_END_REASONS)),
  duration_seconds: v.nullable(v.number()),
  tutor: MemberSchema,
  student: MemberSchema,
  offerer: v.nullable(v.picklist(SESSION_ROLES)),
  generation: v.number(),
  window_ends_at: v.string(),
  wait_until: v.string(),
  events: v.array(SessionEventSchema),
  version: v.number(),
  deadline_at: v.optional(v.nullable(v.string()), null),
  // Kept through every later put of the call: they are part of the record once written.
  tutor_quality: v.optional(CallQualitySummarySchema),
  student_quality: v.optional(CallQualitySummarySchema),
});

function callFromItem(item: unknown): SessionCallRecord {
  const result = v.safeParse(StoredSessionCallSchema, item);
  if (!result.success) throw new Error(`Malformed session call in the store: ${v.summarize(result.issues)}`);
  return result.output;
}

/** In the timers' index only while a timer is pending (a sparse index). */
function storedCall(call: SessionCallRecord): Record<string, unknown> {
  const { deadline_at, ...rest } = call;
  return deadline_at === null ? rest : { ...rest, deadline_at, deadline_shard: DEADLINE_SHARD };
}

const SocketItemSchema = v.object({ connection_id: v.string(), profile_key: v.string(), call_id: v.optional(v.string()) });
const IndexedSocketSchema = v.object({ connection_id: v.string(), profile_key: v.string(), connected_at: v.string() });
const CallIdItemSchema = v.object({ call_id: v.string() });

const unprefixed = (indexKey: string): ProfileKey => indexKey.slice(INDEX_PREFIX.length) as ProfileKey;
const nowEpochSeconds = (): number => Math.floor(Date.now() / 1000);
/** BatchGet takes at most this many keys. */
const BATCH_GET_LIMIT = 100;

export class DynamoSessionStore implements SessionStore, SessionLineHolders {
  private readonly lineHolders: DynamoSessionLineHolders;

  constructor(
    private readonly tables: SessionTableNames,
    private readonly db: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.lineHolders = new DynamoSessionLineHolders(this.db, tables.whiteboardCalls);
  }

  // --- whiteboard sockets ---------------------------------------------------------------------

  async putWhiteboardSocket(socket: LiveSocket, ttlEpochSeconds: number): Promise<void> {
    await putItem(this.db, {
      TableName: this.tables.connections,
      Item: {
        pk: whiteboardSocketItemKey(socket.connectionId),
        connection_id: socket.connectionId,
        profile_key: whiteboardProfileIndexKey(socket.profileKey),
        connected_at: socket.connectedAt,
        [TTL]: ttlEpochSeconds,
      },
    });
  }

  async takeWhiteboardSocket(connectionId: string): Promise<WhiteboardSocket | undefined> {
    const removed = await deleteItem(this.db, {
      TableName: this.tables.connections,
      Key: { pk: whiteboardSocketItemKey(connectionId) },
      ReturnValues: 'ALL_OLD',
    });
    if (!removed) return undefined;
    const item = v.parse(SocketItemSchema, removed);
    return { connectionId: item.connection_id, profileKey: unprefixed(item.profile_key), callId: item.call_id ?? null };
  }

  async bindWhiteboardSocket(connectionId: string, callId: string): Promise<void> {
    await unlessConditionFails(() =>
      updateItem(this.db, {
        TableName: this.tables.connections,
        Key: { pk: whiteboardSocketItemKey(connectionId) },
        UpdateExpression: 'SET call_id = :call',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':call': callId },
      }),
    );
  }

  async whiteboardSocketsOf(profileKey: ProfileKey): Promise<LiveSocket[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await query(this.db, {
        TableName: this.tables.connections,
        IndexName: BY_PROFILE.indexName,
        KeyConditionExpression: '#key = :key',
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#key': BY_PROFILE.partitionKey.name, '#ttl': TTL },
        ExpressionAttributeValues: { ':key': whiteboardProfileIndexKey(profileKey), ':now': nowEpochSeconds() },
        ExclusiveStartKey: startKey,
      });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items.map((item) => {
      const socket = v.parse(IndexedSocketSchema, item);
      return { connectionId: socket.connection_id, profileKey: unprefixed(socket.profile_key), connectedAt: socket.connected_at };
    });
  }

  // --- the session's pointer ------------------------------------------------------------------

  async openCallOf(sessionId: string): Promise<string | undefined> {
    const item = await getItem(this.db, {
      TableName: this.tables.connections,
      Key: { pk: sessionPointerItemKey(sessionId) },
      ConsistentRead: true,
    });
    return item ? v.parse(CallIdItemSchema, item).call_id : undefined;
  }

  pointSession(sessionId: string, callId: string, replacing?: string): Promise<boolean> {
    return unlessConditionFails(() =>
      putItem(this.db, {
        TableName: this.tables.connections,
        Item: { pk: sessionPointerItemKey(sessionId), call_id: callId },
        ...(replacing === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'call_id = :replacing', ExpressionAttributeValues: { ':replacing': replacing } }),
      }),
    );
  }

  async clearSession(sessionId: string, callId: string): Promise<void> {
    await unlessConditionFails(() =>
      deleteItem(this.db, {
        TableName: this.tables.connections,
        Key: { pk: sessionPointerItemKey(sessionId) },
        ConditionExpression: 'call_id = :call',
        ExpressionAttributeValues: { ':call': callId },
      }),
    );
  }

  // --- calls ----------------------------------------------------------------------------------

  async getCall(callId: string): Promise<SessionCallRecord | undefined> {
    const item = await getItem(this.db, { TableName: this.tables.whiteboardCalls, Key: { call_id: callId }, ConsistentRead: true });
    return item ? callFromItem(item) : undefined;
  }

  createCall(call: SessionCallRecord): Promise<boolean> {
    return unlessConditionFails(() =>
      putItem(this.db, {
        TableName: this.tables.whiteboardCalls,
        Item: storedCall(call),
        ConditionExpression: 'attribute_not_exists(call_id)',
      }),
    );
  }

  replaceCall(next: SessionCallRecord, expectedVersion: number): Promise<boolean> {
    return unlessConditionFails(() =>
      putItem(this.db, {
        TableName: this.tables.whiteboardCalls,
        Item: storedCall(next),
        ConditionExpression: '#version = :seen',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':seen': expectedVersion },
      }),
    );
  }

  /**
   * Adds one member's end-of-call quality summary, once: false when that member's is there already
   * (or the call is gone). It moves the version too, so a put of the call planned from an earlier
   * read loses and is planned again with the summary in it.
   */
  async recordQuality(callId: string, role: SessionRole, summary: CallQualitySummary): Promise<boolean> {
    return unlessConditionFails(() =>
      updateItem(this.db, {
        TableName: this.tables.whiteboardCalls,
        Key: { call_id: callId },
        UpdateExpression: 'SET #member = :summary, #version = #version + :one',
        ConditionExpression: 'attribute_exists(call_id) AND attribute_not_exists(#member)',
        ExpressionAttributeNames: { '#member': `${role}_quality`, '#version': 'version' },
        ExpressionAttributeValues: { ':summary': summary, ':one': 1 },
      }),
    );
  }

  async callsOfSession(sessionId: string, limit: number, before?: string): Promise<{ items: SessionCallRecord[]; more: boolean }> {
    const { items } = await query(this.db, newestCallsPage(this.tables.whiteboardCalls, BY_SESSION, sessionId, limit, before));
    const ids = items.map((item) => v.parse(CallIdItemSchema, item).call_id);
    const pageIds = ids.slice(0, limit);
    const calls = await this.getCalls(pageIds);
    const byId = new Map(calls.map((call) => [call.call_id, call]));
    return { items: pageIds.flatMap((id) => byId.get(id) ?? []), more: ids.length > limit };
  }

  async dueCalls(now: string, limit: number): Promise<string[]> {
    const { items } = await query(this.db, {
      TableName: this.tables.whiteboardCalls,
      IndexName: BY_DEADLINE.indexName,
      KeyConditionExpression: '#shard = :shard AND #at <= :now',
      ExpressionAttributeNames: { '#shard': BY_DEADLINE.partitionKey.name, '#at': BY_DEADLINE.sortKey.name },
      ExpressionAttributeValues: { ':shard': DEADLINE_SHARD, ':now': now },
      Limit: limit,
    });
    return items.map((item) => v.parse(CallIdItemSchema, item).call_id);
  }

  /** The line judge's look at a session call holding a line (the same read chat functions make). */
  isOpen(callId: string): Promise<boolean | undefined> {
    return this.lineHolders.isOpen(callId);
  }

  private async getCalls(callIds: readonly string[]): Promise<SessionCallRecord[]> {
    const calls: SessionCallRecord[] = [];
    for (let start = 0; start < callIds.length; start += BATCH_GET_LIMIT) {
      let keys: Item[] = callIds.slice(start, start + BATCH_GET_LIMIT).map((id) => ({ call_id: id }));
      while (keys.length > 0) {
        const result = await batchGetItems(this.db, this.tables.whiteboardCalls, keys);
        calls.push(...result.items.map(callFromItem));
        keys = result.unprocessedKeys;
      }
    }
    return calls;
  }
}
