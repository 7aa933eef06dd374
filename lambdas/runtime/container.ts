/**
 * Wires the core to its adapters once per container (cold start), from the environment and from
 * what the container's function may touch (`shared/routes.ts`). On AWS a container runs one
 * function; run in one process (the local gateway's source mode), each function still gets a
 * runtime of its own, so no function sees another's memory there either.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { RATE_LIMITED_REPLY_INTERVAL_MS } from '../../shared/limits';
import { mayCountRates, mayWrite, type FunctionDefinition } from '../../shared/routes';
import { DynamoCallStore } from '../adapters/dynamo-store';
import { ManagementApiSockets } from '../adapters/management-api';
import { DynamoProfileSettings } from '../adapters/profile-settings-store';
import { DynamoSessionLineHolders } from '../adapters/session-line-holders';
import { Admission } from '../core/admission';
import { CallService } from '../core/calls';
import { Messenger } from '../core/messenger';
import type { CallStore, Clock, SocketPort } from '../core/model';
import type { ProfileSettingsStore } from '../core/profile-settings';
import { RateLimiter } from '../core/rate-limiter';
import { RefusalNotices } from '../core/refusal-notices';
import { RepeatedRings } from '../core/repeated-rings';
import { readConfig, type RuntimeConfig } from './config';
import { logFailure } from './log';

export interface Runtime {
  definition: FunctionDefinition;
  config: RuntimeConfig;
  store: CallStore;
  /** Profiles' own call settings (`profile_settings`). */
  profileSettings: ProfileSettingsStore;
  /** Only for closing a socket; messages go through the messenger. */
  sockets: SocketPort;
  messenger: Messenger;
  calls: CallService;
  clock: Clock;
  admission: Admission;
}

/** The outside world a runtime talks to: DynamoDB and the management API unless a test says otherwise. */
export interface Adapters {
  store: DynamoCallStore;
  sockets: SocketPort;
  profileSettings?: ProfileSettingsStore;
}

const systemClock: Clock = { now: () => new Date() };

export function createRuntime(config: RuntimeConfig, definition: FunctionDefinition, adapters?: Adapters): Runtime {
  // One client (and one connection pool) for every table the function reads.
  const dynamodb = new DynamoDBClient({});
  const store = adapters?.store ?? new DynamoCallStore({ connections: config.connectionsTable, callLogs: config.callLogsTable }, dynamodb);
  const sockets = adapters?.sockets ?? new ManagementApiSockets(config.managementEndpoint);
  const profileSettings = adapters?.profileSettings ?? new DynamoProfileSettings(config.profileSettingsTable, dynamodb);
  // Only a function that may write `connections` deletes the records of sockets found gone; shared
  // rate counters are kept there by those and by the functions granted just the counters.
  const writesConnections = mayWrite(definition.access.connections);
  const messenger = new Messenger(sockets, writesConnections ? (id) => store.deleteSocket(id) : undefined);
  const newCallId = monotonicFactory();
  // A chat function that claims lines judges one a whiteboard session call holds from that call's table.
  const sessionLineHolders =
    definition.access.whiteboardCalls !== undefined && definition.access.whiteboardCalls !== 'none' && config.whiteboardCallHistoryTable
      ? new DynamoSessionLineHolders(DynamoDBDocumentClient.from(dynamodb), config.whiteboardCallHistoryTable)
      : undefined;
  return {
    definition,
    config,
    store,
    profileSettings,
    sockets,
    clock: systemClock,
    messenger,
    admission: new Admission(
      new RateLimiter(config.rateLimits, systemClock),
      config.rateLimits,
      new RefusalNotices(RATE_LIMITED_REPLY_INTERVAL_MS),
      systemClock,
      mayCountRates(definition.access) ? store : undefined,
    ),
    calls: new CallService({
      store,
      profileSettings,
      messenger,
      settings: config,
      clock: systemClock,
      newCallId: () => newCallId(),
      rings: new RepeatedRings(store, config.pairRings, systemClock, (error) => logFailure(definition.id, null, error)),
      ...(sessionLineHolders ? { sessionLineHolders } : {}),
    }),
  };
}

const runtimes = new Map<string, Runtime>();

/** The runtime of the function this container runs, created on first use. */
export function getRuntime(definition: FunctionDefinition): Runtime {
  let runtime = runtimes.get(definition.id);
  if (!runtime) {
    runtime = createRuntime(readConfig(), definition);
    runtimes.set(definition.id, runtime);
  }
  return runtime;
}
