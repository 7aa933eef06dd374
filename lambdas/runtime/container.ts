/**
 * Wires the core to its adapters once per container (cold start), from the environment and from
 * what the container's function may touch (`shared/routes.ts`). On AWS a container runs one
 * function; run in one process (the local gateway's source mode), each function still gets a
 * runtime of its own, so no function sees another's memory there either. Building a runtime loads
 * no SDK client: each adapter loads its own on first use.
 */
import { monotonicFactory } from 'ulid';
import { RATE_LIMITED_REPLY_INTERVAL_MS } from '../../shared/limits';
import { mayCountRates, mayWrite, type FunctionDefinition } from '../../shared/routes';
import { Admission } from '../core/admission';
import { CallService } from '../core/calls';
import { Messenger } from '../core/messenger';
import type { CallStore, Clock, SocketPort } from '../core/model';
import type { ProfileSettingsStore } from '../core/profile-settings';
import { RateLimiter } from '../core/rate-limiter';
import { RefusalNotices } from '../core/refusal-notices';
import { RepeatedRings } from '../core/repeated-rings';
import { awsAdapters, type Adapters } from './adapters';
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

export type { Adapters } from './adapters';

const systemClock: Clock = { now: () => new Date() };

export function createRuntime(config: RuntimeConfig, definition: FunctionDefinition, adapters?: Adapters): Runtime {
  // Only the clients the function's access needs, each loaded on first use (see `adapters.ts`).
  const aws = awsAdapters(config, definition);
  const store = adapters?.store ?? aws.store;
  const sockets = adapters?.sockets ?? aws.sockets;
  const profileSettings = adapters?.profileSettings ?? aws.profileSettings;
  // Only a function that may write `connections` deletes the records of sockets found gone; shared
  // rate counters are kept there by those and by the functions granted just the counters.
  const writesConnections = mayWrite(definition.access.connections);
  const messenger = new Messenger(sockets, writesConnections ? (id) => store.deleteSocket(id) : undefined);
  const newCallId = monotonicFactory();
  const sessionLineHolders = adapters?.sessionLineHolders ?? aws.sessionLineHolders;
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
