/**
 * Wires the whiteboard session call core to its adapters once per container, as `container.ts`
 * does for the chat calls: the same store of lines, the same messenger over the management API
 * (the whiteboard API's own endpoint), the same admission; the session calls' own store.
 */
import { monotonicFactory } from 'ulid';
import { RATE_LIMITED_REPLY_INTERVAL_MS } from '../../shared/limits';
import type { FunctionDefinition } from '../../shared/routes';
import { verifySessionGrant } from '../auth/session-grant';
import { signingSecret } from '../auth/signing-secret';
import { Admission } from '../core/admission';
import { Applier } from '../core/apply';
import { LineClaims, type SessionLineHolders } from '../core/lines';
import { Messenger } from '../core/messenger';
import type { Clock, SocketPort } from '../core/model';
import { RateLimiter } from '../core/rate-limiter';
import { RefusalNotices } from '../core/refusal-notices';
import type { SessionStore } from '../core/sessions/model';
import { SessionCalls } from '../core/sessions/session-calls';
import { lazyCallStore, lazyDynamoDBClient, lazyManagementApi, touchesCallStore } from './adapters';
import { notGranted, onFirstUse } from './on-first-use';
import { readSessionConfig, type SessionRuntimeConfig } from './session-config';

export interface SessionRuntime {
  definition: FunctionDefinition;
  config: SessionRuntimeConfig;
  sessionStore: SessionStore & SessionLineHolders;
  sockets: SocketPort;
  messenger: Messenger;
  sessions: SessionCalls;
  clock: Clock;
  admission: Admission;
}

const systemClock: Clock = { now: () => new Date() };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createSessionRuntime(config: SessionRuntimeConfig, definition: FunctionDefinition): SessionRuntime {
  // Only the clients the function's access needs, each loaded on first use (see `adapters.ts`).
  const { access, id } = definition;
  const dynamodb = lazyDynamoDBClient();
  const sessionStore =
    touchesCallStore(access) || (access.whiteboardCalls ?? 'none') !== 'none'
      ? onFirstUse<SessionStore & SessionLineHolders>(async () => {
          const [{ DynamoSessionStore }, client] = await Promise.all([import('../adapters/session-store'), dynamodb()]);
          return new DynamoSessionStore(
            { connections: config.connectionsTable, whiteboardCalls: config.whiteboardCallHistoryTable },
            client,
          );
        })
      : notGranted<SessionStore & SessionLineHolders>(id, 'connections or whiteboard_call_history');
  const lineStore = lazyCallStore(definition, { connections: config.connectionsTable, callLogs: config.callLogsTable }, dynamodb);
  const sockets = lazyManagementApi(definition, config.managementEndpoint);
  // Records of whiteboard sockets found gone are left to their `$disconnect` (it is what marks the member absent) and their TTL.
  const messenger = new Messenger(sockets);
  const newCallId = monotonicFactory();
  // The applier only settles glare, which a session call's line never takes part in.
  const lines = new LineClaims(lineStore, new Applier(lineStore, messenger), systemClock, sleep, sessionStore);
  return {
    definition,
    config,
    sessionStore,
    sockets,
    messenger,
    clock: systemClock,
    // Session messages draw on the per-container classes only: no shared counters to write.
    admission: new Admission(
      new RateLimiter(config.rateLimits, systemClock),
      config.rateLimits,
      new RefusalNotices(RATE_LIMITED_REPLY_INTERVAL_MS),
      systemClock,
      undefined,
    ),
    sessions: new SessionCalls({
      sessions: sessionStore,
      lineStore,
      lines,
      messenger,
      settings: config,
      clock: systemClock,
      newCallId: () => newCallId(),
      verifyGrant: async (grant) => verifySessionGrant(await signingSecret(), grant, systemClock.now(), config.issuance),
    }),
  };
}

const runtimes = new Map<string, SessionRuntime>();

export function getSessionRuntime(definition: FunctionDefinition): SessionRuntime {
  let runtime = runtimes.get(definition.id);
  if (!runtime) {
    runtime = createSessionRuntime(readSessionConfig(), definition);
    runtimes.set(definition.id, runtime);
  }
  return runtime;
}
