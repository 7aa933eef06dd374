/**
 * What the meters report across the process boundary (plain JSON), and the arithmetic on it:
 * the difference of two snapshots is what happened between them.
 */

/** One kind of DynamoDB request (operation on a table or index) and what it consumed. */
export interface OperationTally {
  operation: string;
  table: string;
  index: string | null;
  requests: number;
  conditionFailures: number;
  readUnits: number;
  writeUnits: number;
  /** Write units the request caused in the table's global secondary indexes. */
  indexWriteUnits: number;
}

export interface DynamoSnapshot {
  inFlight: number;
  /** Requests of operations the meter has no rule for (counted, not priced). */
  unmeteredRequests: number;
  operations: OperationTally[];
}

export interface ManagementSnapshot {
  inFlight: number;
  /** PostToConnection calls, delivered or not. */
  posts: number;
  delivered: number;
  gone: number;
  /** Delivered posts in API Gateway's 32 KB message steps. */
  billedMessages: number;
  bytes: number;
  /** GetConnection and DeleteConnection calls. */
  otherRequests: number;
}

export interface FunctionInvocations {
  count: number;
  /** Of those, the ones that ended in an error or a timeout (the authorizer's refusals included). */
  failed: number;
  /** Each invocation's duration in order, when the snapshot was asked for them (else empty). */
  durationsMs: number[];
}

export interface InvocationSnapshot {
  inFlight: number;
  byFunction: Record<string, FunctionInvocations>;
}

export interface MeterSnapshot {
  invocations: InvocationSnapshot;
  dynamodb: DynamoSnapshot | null;
  management: ManagementSnapshot | null;
}

const tallyKey = (tally: OperationTally): string => `${tally.operation} ${tally.table} ${tally.index ?? ''}`;

export function diffDynamo(after: DynamoSnapshot, before: DynamoSnapshot): DynamoSnapshot {
  const earlier = new Map(before.operations.map((tally) => [tallyKey(tally), tally]));
  const operations: OperationTally[] = [];
  for (const tally of after.operations) {
    const old = earlier.get(tallyKey(tally));
    const diff: OperationTally = {
      ...tally,
      requests: tally.requests - (old?.requests ?? 0),
      conditionFailures: tally.conditionFailures - (old?.conditionFailures ?? 0),
      readUnits: tally.readUnits - (old?.readUnits ?? 0),
      writeUnits: tally.writeUnits - (old?.writeUnits ?? 0),
      indexWriteUnits: tally.indexWriteUnits - (old?.indexWriteUnits ?? 0),
    };
    if (diff.requests > 0) operations.push(diff);
  }
  return { inFlight: after.inFlight, unmeteredRequests: after.unmeteredRequests - before.unmeteredRequests, operations };
}

export function diffManagement(after: ManagementSnapshot, before: ManagementSnapshot): ManagementSnapshot {
  return {
    inFlight: after.inFlight,
    posts: after.posts - before.posts,
    delivered: after.delivered - before.delivered,
    gone: after.gone - before.gone,
    billedMessages: after.billedMessages - before.billedMessages,
    bytes: after.bytes - before.bytes,
    otherRequests: after.otherRequests - before.otherRequests,
  };
}

export function diffInvocations(after: InvocationSnapshot, before: InvocationSnapshot): InvocationSnapshot {
  const byFunction: Record<string, FunctionInvocations> = {};
  for (const [id, now] of Object.entries(after.byFunction)) {
    const then = before.byFunction[id];
    const count = now.count - (then?.count ?? 0);
    // Durations are kept in invocation order, so the new ones are those past the earlier count.
    if (count > 0)
      byFunction[id] = { count, failed: now.failed - (then?.failed ?? 0), durationsMs: now.durationsMs.slice(then?.count ?? 0) };
  }
  return { inFlight: after.inFlight, byFunction };
}

export function diffSnapshots(after: MeterSnapshot, before: MeterSnapshot): MeterSnapshot {
  return {
    invocations: diffInvocations(after.invocations, before.invocations),
    dynamodb: after.dynamodb && before.dynamodb ? diffDynamo(after.dynamodb, before.dynamodb) : null,
    management: after.management && before.management ? diffManagement(after.management, before.management) : null,
  };
}

export interface DynamoTotals {
  requests: number;
  readUnits: number;
  writeUnits: number;
  indexWriteUnits: number;
}

export function dynamoTotals(snapshot: DynamoSnapshot | null): DynamoTotals {
  const totals: DynamoTotals = { requests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0 };
  for (const tally of snapshot?.operations ?? []) {
    totals.requests += tally.requests;
    totals.readUnits += tally.readUnits;
    totals.writeUnits += tally.writeUnits;
    totals.indexWriteUnits += tally.indexWriteUnits;
  }
  return totals;
}

export function invocationCount(snapshot: InvocationSnapshot): number {
  return Object.values(snapshot.byFunction).reduce((sum, fn) => sum + fn.count, 0);
}

/** Whether nothing metered is still running: no invocation, store request or post in flight. */
export function isQuiet(snapshot: MeterSnapshot): boolean {
  return snapshot.invocations.inFlight === 0 && (snapshot.dynamodb?.inFlight ?? 0) === 0 && (snapshot.management?.inFlight ?? 0) === 0;
}
