/**
 * The chat functions' adapters, built from what the function declares it may touch
 * (`shared/routes.ts`): a port it is not granted loads nothing, and a granted one loads its module
 * (and SDK client) on first use, so `ping` never loads DynamoDB and `ice_servers` loads only what
 * its TURN source needs.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FunctionAccess, FunctionDefinition } from '../../shared/routes';
import type { SessionLineHolders } from '../core/lines';
import type { CallStore, RateTokenStore, SocketPort } from '../core/model';
import type { ProfileSettingsStore } from '../core/profile-settings';
import type { RuntimeConfig } from './config';
import { notGranted, once, onFirstUse } from './on-first-use';

/** The outside world a runtime talks to: DynamoDB and the management API unless a test says otherwise. */
export interface Adapters {
  store: CallStore & RateTokenStore;
  sockets: SocketPort;
  profileSettings?: ProfileSettingsStore;
  /** Present where the function judges lines held by whiteboard session calls. */
  sessionLineHolders?: SessionLineHolders;
}

/** Whether the function reads or writes `connections` or `call_logs` (the call store's tables). */
export const touchesCallStore = (access: FunctionAccess): boolean =>
  access.connections !== 'none' || access.callLogs !== 'none' || access.rateCounters === true || access.callLogUpdates === true;

/** A DynamoDB client of this runtime's own, loaded by the first adapter that needs it. */
export const lazyDynamoDBClient = (): (() => Promise<DynamoDBClient>) =>
  once(async () => (await import('./dynamodb-client')).newDynamoDBClient());

/** The sockets port on the management API, its client loaded on the first post. */
export const lazyManagementApi = (definition: FunctionDefinition, endpoint: string): SocketPort =>
  definition.access.manageConnections
    ? onFirstUse<SocketPort>(async () => new (await import('../adapters/management-api')).ManagementApiSockets(endpoint))
    : notGranted<SocketPort>(definition.id, 'the @connections management API');

/** The call store (`connections`, `call_logs`) on DynamoDB, its module loaded on first use. */
export const lazyCallStore = (
  definition: FunctionDefinition,
  tables: { connections: string; callLogs: string },
  dynamodb: () => Promise<DynamoDBClient>,
): CallStore & RateTokenStore =>
  touchesCallStore(definition.access)
    ? onFirstUse<CallStore & RateTokenStore>(async () => {
        const [{ DynamoCallStore }, client] = await Promise.all([import('../adapters/dynamo-store'), dynamodb()]);
        return new DynamoCallStore(tables, client);
      })
    : notGranted<CallStore & RateTokenStore>(definition.id, 'connections or call_logs');

export function awsAdapters(
  config: RuntimeConfig,
  definition: FunctionDefinition,
): Required<Omit<Adapters, 'sessionLineHolders'>> & Adapters {
  const { access, id } = definition;
  const dynamodb = lazyDynamoDBClient();
  const store = lazyCallStore(definition, { connections: config.connectionsTable, callLogs: config.callLogsTable }, dynamodb);
  const profileSettings =
    access.profileSettings !== 'none'
      ? onFirstUse<ProfileSettingsStore>(async () => {
          const [{ DynamoProfileSettings }, client] = await Promise.all([import('../adapters/profile-settings-store'), dynamodb()]);
          return new DynamoProfileSettings(config.profileSettingsTable, client);
        })
      : notGranted<ProfileSettingsStore>(id, 'profile_settings');
  // A chat function that claims lines judges one a whiteboard session call holds from that call's table.
  const whiteboardCallsTable = config.whiteboardCallHistoryTable;
  const sessionLineHolders =
    access.whiteboardCalls !== undefined && access.whiteboardCalls !== 'none' && whiteboardCallsTable
      ? onFirstUse<SessionLineHolders>(async () => {
          const [{ DynamoSessionLineHolders }, client] = await Promise.all([import('../adapters/session-line-holders'), dynamodb()]);
          return new DynamoSessionLineHolders(client, whiteboardCallsTable);
        })
      : undefined;
  return {
    store,
    sockets: lazyManagementApi(definition, config.managementEndpoint),
    profileSettings,
    ...(sessionLineHolders ? { sessionLineHolders } : {}),
  };
}
