/**
 * A container does only what its function may (`shared/routes.ts`): on AWS anything else is an
 * AccessDeniedException and a failed invocation. Each function's runtime, over the real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambdas/runtime/container';
import { readConfig } from '../../lambdas/runtime/config';
import { ENV } from '../../shared/env';
import { FUNCTIONS, mayWrite } from '../../shared/routes';
import { startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

const config = readConfig({
  [ENV.connectionsTable]: 'connections',
  [ENV.callLogsTable]: 'call_logs',
  [ENV.profileSettingsTable]: 'profile_settings',
  [ENV.managementEndpoint]: 'http://127.0.0.1:9/unused',
});
const pong = { type: 'pong', sent_at: new Date().toISOString() } as const;
const messengers = FUNCTIONS.filter((fn) => fn.access.manageConnections);

describe('sockets found gone', () => {
  it('are forgotten only by the functions that may write connections', async () => {
    for (const definition of messengers) {
      const runtime = createRuntime(config, definition, { store: world.db, sockets: world.sockets });
      const gone = await world.connect(`gone-peer-of-${definition.id}`, 'student', 1);
      world.sockets.open.delete(gone.connectionId);

      const delivery = await runtime.messenger.send([gone.connectionId], pong);
      expect(delivery.gone, definition.id).toEqual([gone.connectionId]);
      const left = (await world.db.socketsOf(gone.key)).some((socket) => socket.connectionId === gone.connectionId);
      expect(left, `${definition.id} (connections: ${definition.access.connections})`).toBe(!mayWrite(definition.access.connections));
    }
  });

  it('are never forgotten when they are the sender a reply was for: its $disconnect is on its way', async () => {
    for (const definition of messengers) {
      const runtime = createRuntime(config, definition, { store: world.db, sockets: world.sockets });
      const sender = await world.connect(`gone-sender-of-${definition.id}`, 'tutor', 2);
      world.sockets.open.delete(sender.connectionId);

      expect((await runtime.messenger.reply(sender.connectionId, pong)).gone).toEqual([sender.connectionId]);
      const left = (await world.db.socketsOf(sender.key)).some((socket) => socket.connectionId === sender.connectionId);
      expect(left, definition.id).toBe(true);
    }
  });

  it('leave the reply-only routes with nothing to write', () => {
    for (const routeKey of ['ping', '$default', 'ice_servers', 'call_history', 'presence_query', 'call_settings']) {
      const definition = FUNCTIONS.find((fn) => fn.trigger.kind === 'route' && fn.trigger.routeKey === routeKey)!;
      expect(mayWrite(definition.access.connections), routeKey).toBe(false);
      expect(mayWrite(definition.access.callLogs), routeKey).toBe(false);
    }
  });
});
