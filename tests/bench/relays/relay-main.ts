/**
 * One relay in its own process, so its CPU and memory are its own:
 *
 *   node --import tsx tests/bench/relays/relay-main.ts <bare|peerjs|gateway|gateway-metered> [sweep interval ms]
 *
 * It reports `ready` with its port over the IPC channel, answers meter requests, and exits on
 * `stop`, on SIGTERM, or when the bench that started it goes away. Everything listens on 127.0.0.1.
 * Each relay's modules are loaded only in its own process, so none carries another's memory.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoMeter } from '../meters/dynamodb-meter';
import type { InvocationMeter } from '../meters/invocation-meter';
import type { ManagementMeter } from '../meters/management-meter';
import { diffDynamo } from '../meters/snapshots';
import type { RelayKind, RelayMessage, RelayReady, RelayReply, RelayRequest, SweepResult } from './relay-protocol';

const HOST = '127.0.0.1';
/** The metered gateway must not sweep on its own: a run would land in the per-call counts. */
const NEVER_MS = 24 * 60 * 60 * 1000;

interface RunningRelay {
  ready: RelayReady;
  meters: { invocations: InvocationMeter; dynamodb: DynamoMeter | null; management: ManagementMeter | null } | null;
  close(): Promise<void>;
}

function send(message: RelayMessage): void {
  process.send?.(message);
}

async function startPeerJs(): Promise<RunningRelay> {
  const { PeerServer } = await import('peer');
  const server = await new Promise<Server>((resolve) => {
    // The PeerJS server's own defaults, bound to loopback (its default is every interface).
    PeerServer({ port: 0, host: HOST, path: '/' }, (listening) => resolve(listening as Server));
  });
  return {
    ready: { type: 'ready', port: (server.address() as AddressInfo).port, storeEndpoint: null },
    meters: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startGateway(metered: boolean, sweepIntervalMs: number): Promise<RunningRelay> {
  const [
    { ENV },
    { startLocalGateway },
    { storeClient },
    { startDynamoMeter },
    { meterInvocations },
    { startManagementMeter },
    { asDeployedOptions },
  ] = await Promise.all([
    import('../../../shared/env'),
    import('../../../infra/local/gateway'),
    import('../../../infra/local/store'),
    import('../meters/dynamodb-meter'),
    import('../meters/invocation-meter'),
    import('../meters/management-meter'),
    import('../../support/gateway-mode'),
  ]);
  // The soak's gateway runs as deployed when its test run does (CALLSIGNAL_GATEWAY_MODE).
  const asDeployed = asDeployedOptions();
  // The meters sit in front of the handlers' store and management clients, in this process.
  if (metered && asDeployed) throw new Error('The metered gateway runs the handler sources; unset CALLSIGNAL_GATEWAY_MODE');
  const invocations = meterInvocations();
  const dynamodb = metered ? await startDynamoMeter() : null;
  const management = metered ? await startManagementMeter() : null;
  const gateway = await startLocalGateway({
    port: 0,
    host: HOST,
    memory: true,
    sweepIntervalMs: metered ? NEVER_MS : sweepIntervalMs,
    ...(asDeployed ? { asDeployed } : {}),
  });
  if (dynamodb && management) {
    // The handlers build their clients on their first invocation, and none has run yet: from
    // here on their store and @connections requests pass through the meters.
    const client = storeClient(gateway.dynamodbEndpoint);
    await dynamodb.attach(gateway.dynamodbEndpoint, client);
    client.destroy();
    management.attach(new URL(gateway.managementEndpoint).origin);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb.url;
    process.env[ENV.managementEndpoint] = `${management.url}/${gateway.stage}`;
  }
  return {
    ready: { type: 'ready', port: gateway.port, storeEndpoint: gateway.dynamodbEndpoint },
    meters: { invocations, dynamodb, management },
    close: async () => {
      await gateway.close();
      await Promise.all([dynamodb?.close(), management?.close()]);
    },
  };
}

async function start(kind: RelayKind, sweepIntervalMs: number): Promise<RunningRelay> {
  switch (kind) {
    case 'bare': {
      const { startBareRelay } = await import('./bare-relay');
      const relay = await startBareRelay(HOST);
      return { ready: { type: 'ready', port: relay.port, storeEndpoint: null }, meters: null, close: () => relay.close() };
    }
    case 'peerjs':
      return startPeerJs();
    case 'gateway':
      return startGateway(false, sweepIntervalMs);
    case 'gateway-metered':
      return startGateway(true, sweepIntervalMs);
  }
}

/** Runs the scheduled sweeper `runs` times, one after another, timing each. */
async function sweep(relay: RunningRelay, runs: number): Promise<SweepResult> {
  const { handler } = await import('../../../lambdas/handlers/sweeper');
  const before = relay.meters?.dynamodb?.snapshot();
  const durationsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await handler();
    durationsMs.push(performance.now() - started);
  }
  const after = relay.meters?.dynamodb?.snapshot();
  return { durationsMs, dynamodb: before && after ? diffDynamo(after, before) : null };
}

async function answer(relay: RunningRelay, request: RelayRequest): Promise<RelayReply> {
  switch (request.type) {
    case 'snapshot': {
      if (!relay.meters) return { id: request.id, type: 'failed', message: 'this relay has no meters' };
      const { invocations, dynamodb, management } = relay.meters;
      return {
        id: request.id,
        type: 'snapshot',
        snapshot: {
          invocations: invocations.snapshot(request.withDurations),
          dynamodb: dynamodb?.snapshot() ?? null,
          management: management?.snapshot() ?? null,
        },
      };
    }
    case 'sweep':
      if (!relay.meters) return { id: request.id, type: 'failed', message: 'this relay has no sweeper' };
      return { id: request.id, type: 'sweep', result: await sweep(relay, Math.max(1, Math.min(request.runs, 100))) };
    case 'stop':
      await relay.close();
      return { id: request.id, type: 'stopped' };
  }
}

async function main(): Promise<void> {
  const kind = process.argv[2] as RelayKind | undefined;
  if (kind !== 'bare' && kind !== 'peerjs' && kind !== 'gateway' && kind !== 'gateway-metered') {
    process.stderr.write('usage: relay-main.ts <bare|peerjs|gateway|gateway-metered> [sweep interval ms]\n');
    process.exit(2);
  }
  const sweepIntervalMs = Number(process.argv[3] ?? 60_000);
  const relay = await start(kind, Number.isFinite(sweepIntervalMs) && sweepIntervalMs > 0 ? sweepIntervalMs : 60_000);

  let stopping = false;
  const stopAndExit = (): void => {
    if (stopping) return;
    stopping = true;
    relay.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stopAndExit);
  process.on('disconnect', stopAndExit);
  process.on('message', (message: RelayRequest) => {
    answer(relay, message).then(
      (reply) => {
        send(reply);
        if (reply.type === 'stopped') {
          stopping = true;
          process.disconnect?.();
          setImmediate(() => process.exit(0));
        }
      },
      (error: unknown) => send({ id: message.id, type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send(relay.ready);
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
