/**
 * The DynamoDB tables, declared from the shared table definitions (the local gateway creates the
 * same tables from the same definitions, so keys and indexes cannot drift between the two).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2, type Attribute, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { FunctionAccess, TableAccess } from '../../shared/routes';
import {
  CALL_LOGS_TABLE,
  CONNECTIONS_TABLE,
  PROFILE_SETTINGS_TABLE,
  WHITEBOARD_CALL_HISTORY_TABLE,
  type KeyAttribute,
  type TableDefinition,
} from '../../shared/tables';

/** The keys of `FunctionAccess` that name a table: each function's access is declared per table key. */
export type TableKey = {
  [K in keyof FunctionAccess]-?: NonNullable<FunctionAccess[K]> extends TableAccess ? K : never;
}[keyof FunctionAccess];

/** Which shared definition each access key refers to; `satisfies` keeps it total over `TableKey`. */
export const TABLE_DEFINITIONS = {
  connections: CONNECTIONS_TABLE,
  callLogs: CALL_LOGS_TABLE,
  profileSettings: PROFILE_SETTINGS_TABLE,
  whiteboardCalls: WHITEBOARD_CALL_HISTORY_TABLE,
} as const satisfies Record<TableKey, TableDefinition>;

export const TABLE_KEYS = Object.keys(TABLE_DEFINITIONS) as TableKey[];

export type CallTables = Readonly<Record<TableKey, ITableV2>>;

export interface CallDataProps {
  /**
   * Keep the users' data, `call_logs` (the call history) and `profile_settings` (who may call whom,
   * block lists), when the stack is deleted. Turn off only for throwaway stacks; `connections` holds
   * nothing worth keeping and is always destroyed with the stack.
   */
  readonly retainUserData: boolean;
}

const toAttribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

function tableFrom(
  scope: Construct,
  id: string,
  definition: TableDefinition,
  removalPolicy: RemovalPolicy,
  pointInTimeRecovery: boolean,
): TableV2 {
  return new TableV2(scope, id, {
    partitionKey: toAttribute(definition.partitionKey),
    ...(definition.sortKey ? { sortKey: toAttribute(definition.sortKey) } : {}),
    globalSecondaryIndexes: definition.indexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: toAttribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: toAttribute(index.sortKey) } : {}),
      ...(index.projection.type === 'INCLUDE'
        ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.attributes] }
        : { projectionType: ProjectionType.KEYS_ONLY }),
    })),
    ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
    // Traffic is bursty and mostly idle: pay per request, nothing to size.
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
    removalPolicy,
  });
}

/**
 * `connections` (sockets and line claims, expiring by TTL), `call_logs` (one item per call, kept) and
 * `profile_settings` (one item per profile that changed its call settings, kept).
 */
export class CallData extends Construct {
  readonly tables: CallTables;

  constructor(scope: Construct, id: string, props: CallDataProps) {
    super(scope, id);
    const userData = props.retainUserData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.tables = {
      // Socket records live at most two hours and are rebuilt by reconnecting: no backups, no retention.
      connections: tableFrom(this, 'Connections', TABLE_DEFINITIONS.connections, RemovalPolicy.DESTROY, false),
      callLogs: tableFrom(this, 'CallLogs', TABLE_DEFINITIONS.callLogs, userData, true),
      // What users chose (a block list lost would let blocked callers ring again): backed up, kept.
      profileSettings: tableFrom(this, 'ProfileSettings', TABLE_DEFINITIONS.profileSettings, userData, true),
      // The whiteboard session calls' history: kept and backed up as call_logs is.
      whiteboardCalls: tableFrom(this, 'WhiteboardCallHistory', TABLE_DEFINITIONS.whiteboardCalls, userData, true),
    };
  }
}
