/** Wires the core to its adapters once per container (cold start), from the environment. */
import { monotonicFactory } from 'ulid';
import { DynamoCallStore } from '../adapters/dynamo-store';
import { ManagementApiSockets } from '../adapters/management-api';
import { CallService } from '../core/calls';
import type { Messenger } from '../core/messenger';
import type { CallStore, Clock } from '../core/model';
import { RateLimiter } from '../core/rate-limiter';
import { readConfig, type RuntimeConfig } from './config';

export interface Runtime {
  config: RuntimeConfig;
  store: CallStore;
  messenger: Messenger;
  calls: CallService;
  clock: Clock;
  rateLimiter: RateLimiter;
}

const systemClock: Clock = { now: () => new Date() };

export function createRuntime(config: RuntimeConfig): Runtime {
  const store = new DynamoCallStore({ connections: config.connectionsTable, callLogs: config.callLogsTable });
  const sockets = new ManagementApiSockets(config.managementEndpoint);
  const newCallId = monotonicFactory();
  const calls = new CallService({ store, sockets, settings: config, clock: systemClock, newCallId: () => newCallId() });
  return {
    config,
    store,
    clock: systemClock,
    messenger: calls.messenger,
    rateLimiter: new RateLimiter(config.rateLimits, systemClock),
    calls,
  };
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  runtime ??= createRuntime(readConfig());
  return runtime;
}
