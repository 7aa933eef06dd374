/** The CallStore on DynamoDB: single-item conditional writes only (no transactions). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CALL_LOGS_TABLE,
  CONNECTIONS_TABLE,
  DEADLINE_SHARD,
  QUALITY_ATTRIBUTES,
  RATE_TAT_ATTRIBUTE,
  connectionItemKey,
  lineItemKey,
  profileRateItemKey,
  socketRateAttribute,
  ringPairRateItemKey,
} from '../../shared/tables';
import type { CallQualitySummary } from '../../shared/call-quality';
import type { ConnectFeature } from '../../shared/connect-features';
import type { ProfileKey } from '../../shared/profile';
import type {
  CallChanges,
  CallGuard,
  CallRecord,
  CallStore,
  CallWrite,
  ClaimResult,
  DueTimer,
  GcraStep,
  LineRecord,
  LiveSocket,
  Party,
  RateCounter,
  RateTake,
  RateTokenStore,
  SocketRecord,
} from '../core/model';
import { UNBOUND } from '../core/model';
import {
  batchGetItems,
  deleteItem,
  getItem,
  isConditionFailure,
  putItem,
  newestCallsPage,
  query,
  refusedItem,
  updateItem,
  type Item,
  type QueryInput,
} from './document';
import { allFull, gcraUpdate, planFor, type BucketPlan, type BucketTake } from './gcra-update';
import {
  callFromItem,
  callIdFromIndexItem,
  lineFromItem,
  socketFeaturesFromItem,
  socketFromIndexItem,
  startKeyFromCursor,
  timerFromIndexItem,
} from './stored-items';

export interface TableNames {
  connections: string;
  callLogs: string;
}

const [BY_PROFILE] = CONNECTIONS_TABLE.indexes;
const [BY_CALLER, BY_CALLEE, BY_DEADLINE] = CALL_LOGS_TABLE.indexes;
const TTL = CONNECTIONS_TABLE.ttlAttribute;

type SocketItem = {
  pk: string;
  connection_id: string;
  profile_key: string;
  connected_at: string;
  /** Absent when the socket declared none. */
  features?: string[];
};

type LineItem = {
  pk: string;
  call_id: string;
  caller_key: string;
  callee_key: string;
  claimed_at: string;
  system?: string;
};

/** A write whose condition failed: and the item as it is, when the write asked for it and the store gave it. */
class Refused {
  constructor(readonly item: Item | undefined) {}
}

/**
 * Runs a conditional write; a failed condition is a `Refused`, with the item that failed it when
 * the write asked for it (`refusedItem`); the local store answers the same way
 * (`infra/local/condition-failure-item.ts`).
 */
async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | Refused> {
  try {
    return await write();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return new Refused(refusedItem(error));
  }
}

const nowEpochSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Where a counter lives: a socket's on its profile's item of the class, in an attribute of its own,
 * so that both move in one write; the others in the item's `tat`.
 */
function rateCounterPlace(counter: RateCounter): { key: string; attribute: string } {
  if (counter.scope === 'socket') {
    return { key: profileRateItemKey(counter.rateClass, counter.profileKey), attribute: socketRateAttribute(counter.connectionId) };
  }
  if (counter.scope === 'profile') return { key: profileRateItemKey(counter.rateClass, counter.profileKey), attribute: RATE_TAT_ATTRIBUTE };
  return { key: ringPairRateItemKey(counter.callerKey, counter.calleeKey), attribute: RATE_TAT_ATTRIBUTE };
}

/** Writes one counter item takes at most: the first, one planned from the refusal, one more if another container moved it meanwhile. */
const MAX_RATE_WRITES = 3;

/** A full bucket's counter is useless; this long past that, its TTL lets DynamoDB delete it. */
const RATE_COUNTER_LINGER_SECONDS = 60;

export class DynamoCallStore implements CallStore, RateTokenStore {
  constructor(
    private readonly tables: TableNames,
    private readonly db: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  // --- sockets ------------------------------------------------------------------------------

  async putSocket(socket: SocketRecord, ttlEpochSeconds: number): Promise<void> {
    const item: SocketItem & Record<typeof TTL, number> = {
      pk: connectionItemKey(socket.connectionId),
      connection_id: socket.connectionId,
      profile_key: socket.profileKey,
      connected_at: socket.connectedAt,
      ...(socket.features.length > 0 ? { features: [...socket.features] } : {}),
      [TTL]: ttlEpochSeconds,
    };
    await putItem(this.db, { TableName: this.tables.connections, Item: item });
  }

  async deleteSocket(connectionId: string): Promise<void> {
    await deleteItem(this.db, { TableName: this.tables.connections, Key: { pk: connectionItemKey(connectionId) } });
  }

  /** A party has at most a profile's socket cap of sockets (10): one BatchGetItem, retried for keys it left. */
  async featuresOf(connectionIds: readonly string[]): Promise<Map<string, readonly ConnectFeature[]>> {
    const found = new Map<string, readonly ConnectFeature[]>();
    let keys: Item[] = [...new Set(connectionIds)].map((id) => ({ pk: connectionItemKey(id) }));
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      const result = await batchGetItems(this.db, this.tables.connections, keys, {
        ProjectionExpression: '#id, #features',
        ExpressionAttributeNames: { '#id': 'connection_id', '#features': 'features' },
      });
      for (const item of result.items) {
        const socket = socketFeaturesFromItem(item);
        found.set(socket.connectionId, socket.features);
      }
      keys = result.unprocessedKeys;
    }
    return found;
  }

  async socketsOf(profileKey: ProfileKey): Promise<LiveSocket[]> {
    const items = await this.queryAll({
      TableName: this.tables.connections,
      IndexName: BY_PROFILE.indexName,
      KeyConditionExpression: '#key = :key',
      // Real DynamoDB deletes expired items late, and the local store not at all: skip them.
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#key': BY_PROFILE.partitionKey.name, '#ttl': TTL },
      ExpressionAttributeValues: { ':key': profileKey, ':now': nowEpochSeconds() },
    });
    return items.map(socketFromIndexItem);
  }

  async isOnline(profileKey: ProfileKey): Promise<boolean> {
    return (await this.socketsOf(profileKey)).length > 0;
  }

  // --- lines --------------------------------------------------------------------------------

  async getLine(profileKey: ProfileKey): Promise<LineRecord | undefined> {
    const item = await getItem(this.db, { TableName: this.tables.connections, Key: { pk: lineItemKey(profileKey) }, ConsistentRead: true });
    return item ? lineFromItem(item, profileKey) : undefined;
  }

  async claimLine(line: LineRecord, replacing?: string): Promise<ClaimResult> {
    const item: LineItem = {
      pk: lineItemKey(line.profileKey),
      call_id: line.callId,
      caller_key: line.callerKey,
      callee_key: line.calleeKey,
      claimed_at: line.claimedAt,
      ...(line.system !== undefined ? { system: line.system } : {}),
    };
    const written = await unlessConditionFails(() =>
      putItem(this.db, {
        TableName: this.tables.connections,
        Item: item,
        ...(replacing === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'call_id = :replacing', ExpressionAttributeValues: { ':replacing': replacing } }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (!(written instanceof Refused)) return { claimed: true };
    // DynamoDB (and the local store) leave the item off only when there is none: freed meanwhile.
    return { claimed: false, holder: written.item ? lineFromItem(written.item, line.profileKey) : undefined };
  }

  async releaseLine(profileKey: ProfileKey, callId: string): Promise<void> {
    await unlessConditionFails(() =>
      deleteItem(this.db, {
        TableName: this.tables.connections,
        Key: { pk: lineItemKey(profileKey) },
        ConditionExpression: 'call_id = :call',
        ExpressionAttributeValues: { ':call': callId },
      }),
    );
  }

  // --- calls --------------------------------------------------------------------------------

  async createCall(call: CallRecord): Promise<boolean> {
    const written = await unlessConditionFails(() =>
      putItem(this.db, { TableName: this.tables.callLogs, Item: storedCall(call), ConditionExpression: 'attribute_not_exists(call_id)' }),
    );
    return !(written instanceof Refused);
  }

  async getCall(callId: string): Promise<CallRecord | undefined> {
    const item = await getItem(this.db, { TableName: this.tables.callLogs, Key: { call_id: callId }, ConsistentRead: true });
    return item ? callFromItem(item) : undefined;
  }

  async updateCall(callId: string, guard: CallGuard, changes: CallChanges, returning: 'after' | 'before' = 'after'): Promise<CallWrite> {
    const update = buildUpdate(guard, changes);
    const result = await unlessConditionFails(() =>
      updateItem(this.db, {
        TableName: this.tables.callLogs,
        Key: { call_id: callId },
        UpdateExpression: update.expression,
        ConditionExpression: update.condition,
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
        ReturnValues: returning === 'after' ? 'ALL_NEW' : 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (result instanceof Refused) return { won: false, ...(result.item ? { current: callFromItem(result.item) } : {}) };
    return { won: true, call: callFromItem(result) };
  }

  async recordQuality(callId: string, party: Party, summary: CallQualitySummary): Promise<boolean> {
    const written = await unlessConditionFails(() =>
      updateItem(this.db, {
        TableName: this.tables.callLogs,
        Key: { call_id: callId },
        UpdateExpression: 'SET #side = :summary',
        // Never creates an item, and never replaces what that side sent first.
        ConditionExpression: 'attribute_exists(call_id) AND attribute_not_exists(#side)',
        ExpressionAttributeNames: { '#side': QUALITY_ATTRIBUTES[party] },
        ExpressionAttributeValues: { ':summary': summary },
      }),
    );
    return !(written instanceof Refused);
  }

  async callsOf(profileKey: ProfileKey, limit: number, before?: string): Promise<{ items: CallRecord[]; more: boolean }> {
    const page = (index: typeof BY_CALLER | typeof BY_CALLEE) =>
      query(this.db, newestCallsPage(this.tables.callLogs, index, profileKey, limit, before));
    const [asCaller, asCallee] = await Promise.all([page(BY_CALLER), page(BY_CALLEE)]);
    // The indexes hold call ids only: newest first across both, then the items of one page.
    const ids = [...asCaller.items, ...asCallee.items].map(callIdFromIndexItem).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const pageIds = ids.slice(0, limit);
    return { items: await this.getCalls(pageIds), more: ids.length > limit };
  }

  async dueTimers(now: string, limit: number, after?: string): Promise<{ timers: DueTimer[]; next?: string }> {
    const { items, lastKey } = await query(this.db, {
      TableName: this.tables.callLogs,
      IndexName: BY_DEADLINE.indexName,
      KeyConditionExpression: '#shard = :shard AND #at <= :now',
      ExpressionAttributeNames: { '#shard': BY_DEADLINE.partitionKey.name, '#at': BY_DEADLINE.sortKey.name },
      ExpressionAttributeValues: { ':shard': DEADLINE_SHARD, ':now': now },
      Limit: limit,
      // The key of the last entry read: a position in the index, valid even once that entry is gone.
      ...(after !== undefined ? { ExclusiveStartKey: startKeyFromCursor(after) } : {}),
    });
    return {
      timers: items.map(timerFromIndexItem),
      ...(lastKey ? { next: JSON.stringify(lastKey) } : {}),
    };
  }

  /** Calls by id, in the order given (BatchGetItem takes 100 keys and may leave some for a retry). */
  async getCalls(callIds: readonly string[]): Promise<CallRecord[]> {
    if (callIds.length === 0) return [];
    const found = new Map<string, CallRecord>();
    let keys: Item[] = callIds.map((call_id) => ({ call_id }));
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      const result = await batchGetItems(this.db, this.tables.callLogs, keys);
      for (const item of result.items) {
        const call = callFromItem(item);
        found.set(call.call_id, call);
      }
      keys = result.unprocessedKeys;
    }
    return callIds.flatMap((id) => found.get(id) ?? []);
  }

  // --- shared rate counters -----------------------------------------------------------------

  takeRateToken(counter: RateCounter, step: GcraStep): Promise<boolean> {
    return this.takeRateTokens([{ counter, step }]);
  }

  /** Counters on one item move in one write; items one after the other, so a refusal spends nothing of the later ones. */
  async takeRateTokens(takes: readonly RateTake[]): Promise<boolean> {
    const byItem = new Map<string, BucketTake[]>();
    for (const { counter, step } of takes) {
      const { key, attribute } = rateCounterPlace(counter);
      byItem.set(key, [...(byItem.get(key) ?? []), { attribute, step }]);
    }
    for (const [key, buckets] of byItem) if (!(await this.takeFromItem(key, buckets))) return false;
    return true;
  }

  /**
   * The GCRA step on every bucket of one item (`gcra-update.ts`): the first write takes them all as
   * full, the usual case; a refusal hands back the item (ALL_OLD), from which the next write is
   * planned, or the message refused with nothing more written. A bucket's burst write adds to its
   * value under a bound, so racing containers never lose each other's tokens.
   */
  private async takeFromItem(key: string, buckets: readonly BucketTake[]): Promise<boolean> {
    let plans: readonly BucketPlan[] = allFull(buckets);
    for (let attempt = 0; attempt < MAX_RATE_WRITES; attempt++) {
      const planned = plans;
      const written = await unlessConditionFails(() =>
        updateItem(this.db, {
          TableName: this.tables.connections,
          Key: { pk: key },
          ...gcraUpdate(buckets, planned, TTL, RATE_COUNTER_LINGER_SECONDS),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!(written instanceof Refused)) return true;
      // DynamoDB leaves the item off a refusal only when there is none (gone by TTL meanwhile): all full again.
      const next = planFor(buckets, written.item);
      if (next === 'refused') return false;
      plans = next;
    }
    return false;
  }

  /**
   * One interval off the theoretical arrival time, only while the bucket is not full: guarded, so
   * a counter that refilled meanwhile (or never existed) is left alone.
   */
  async returnRateToken(rateCounter: RateCounter, step: GcraStep): Promise<void> {
    const { key, attribute } = rateCounterPlace(rateCounter);
    await unlessConditionFails(() =>
      updateItem(this.db, {
        TableName: this.tables.connections,
        Key: { pk: key },
        UpdateExpression: 'SET #tat = #tat - :interval',
        ConditionExpression: '#tat > :now',
        ExpressionAttributeNames: { '#tat': attribute },
        ExpressionAttributeValues: { ':interval': step.intervalMs, ':now': step.nowMs },
      }),
    );
  }

  private async queryAll(input: QueryInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await query(this.db, { ...input, ExclusiveStartKey: startKey });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }
}

/** The item of a new call: in the timers' index while a timer is pending, out of the callee's history when hidden from it. */
function storedCall(call: CallRecord): Record<string, unknown> {
  const { callee_key, ...rest } = call;
  return {
    ...rest,
    ...(call.hidden_from_callee ? {} : { callee_key }),
    ...(call.deadline_at ? { deadline_shard: DEADLINE_SHARD } : {}),
  };
}

interface BuiltUpdate {
  expression: string;
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Turns a guard and a set of changes into one conditional UpdateItem. */
function buildUpdate(guard: CallGuard, changes: CallChanges): BuiltUpdate {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];

  const name = (attribute: string): string => {
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  };
  const value = (placeholder: string, v: unknown): string => {
    values[`:${placeholder}`] = v;
    return `:${placeholder}`;
  };

  for (const [attribute, change] of Object.entries(changes) as [string, unknown][]) {
    if (change === undefined) continue;
    if (attribute === 'callee_participant_name' || attribute === 'caller_participant_name') {
      const index = attribute === 'caller_participant_name' ? 0 : 1;
      sets.push(`${name('participants')}[${index}].${name('name')} = ${value(`set_${attribute}`, change)}`);
      continue;
    }
    if (attribute === 'callee_connection_added') {
      const list = name('callee_connection_ids');
      sets.push(`${list} = list_append(${list}, ${value('set_callee_connection_added', [change])})`);
      continue;
    }
    if (change === null && (attribute === 'deadline_at' || attribute === 'disconnected_party')) {
      removes.push(name(attribute));
      if (attribute === 'deadline_at') removes.push(name('deadline_shard'));
      continue;
    }
    sets.push(`${name(attribute)} = ${value(`set_${attribute}`, change)}`);
    if (attribute === 'deadline_at') sets.push(`${name('deadline_shard')} = ${value('set_deadline_shard', DEADLINE_SHARD)}`);
  }

  const conditions = [`${name('status')} = ${value('guard_status', guard.status)}`];
  if (guard.calleeKey !== undefined) conditions.push(`${name('callee_key')} = ${value('guard_callee', guard.calleeKey)}`);
  if (guard.notExpiredAt !== undefined) {
    conditions.push(`${name('expires_at')} > ${value('guard_now', guard.notExpiredAt)}`);
  }
  for (const [index, bound] of (guard.boundSockets ?? []).entries()) {
    const socket = value(`guard_socket_${index}`, bound.connectionId);
    conditions.push(
      bound.party === 'caller' ? `${name('caller_connection_id')} = ${socket}` : `contains(${name('callee_connection_ids')}, ${socket})`,
    );
  }
  if (guard.calleeSocketAbsent !== undefined) {
    conditions.push(`NOT contains(${name('callee_connection_ids')}, ${value('guard_absent_socket', guard.calleeSocketAbsent)})`);
  }
  if (guard.dropped === 'nobody') conditions.push(`attribute_not_exists(${name('disconnected_party')})`);
  else if (guard.dropped !== undefined) conditions.push(`${name('disconnected_party')} = ${value('guard_dropped', guard.dropped)}`);
  if (guard.deadlineAt !== undefined) {
    conditions.push(`${name('deadline_at')} = ${value('guard_deadline', guard.deadlineAt)}`);
  }
  if (guard.callerSocket !== undefined) {
    const unbound = value('guard_unbound', UNBOUND);
    conditions.push(`${name('caller_connection_id')} ${guard.callerSocket === 'bound' ? '<>' : '='} ${unbound}`);
  }
  if (guard.acceptedBy === null) conditions.push(`attribute_not_exists(${name('accepted_by')})`);
  else if (guard.acceptedBy !== undefined) conditions.push(`${name('accepted_by')} = ${value('guard_accepted_by', guard.acceptedBy)}`);
  if (guard.answerableBy !== undefined) {
    const accepted = name('accepted_by');
    conditions.push(`(attribute_not_exists(${accepted}) OR ${accepted} = ${value('guard_answerer', guard.answerableBy)})`);
  }

  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return { expression, condition: conditions.join(' AND '), names, values };
}
