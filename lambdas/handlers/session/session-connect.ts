/**
 * Whiteboard API `$connect`: the socket becomes reachable under its profile's whiteboard index key
 * (never among its chat sockets) until it closes, its token expires or 2 h pass; the profile's
 * oldest whiteboard sockets beyond its cap are closed (counted apart from its chat sockets).
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { tokenExpiryFromContext } from '../../../shared/identity';
import { functionForRoute } from '../../../shared/routes';
import type { RoutingDecision } from '../../../shared/routing-line';
import { capSockets } from '../../core/socket-cap';
import { logDecisions, senderOf, type WebSocketEvent } from '../../runtime/handler';
import { getSessionRuntime } from '../../runtime/session-container';
import { socketRecordExpiry } from '../../runtime/token-expiry';

/** API Gateway answers the upgrade with this status: the profile holds enough newer whiteboard sockets. */
const TOO_MANY_SOCKETS_STATUS = 429;

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const runtime = getSessionRuntime(functionForRoute('$connect', 'whiteboard'));
  const { sessionStore } = runtime;
  const sender = senderOf(event);
  const now = runtime.clock.now();
  const opened = { connectionId: sender.connectionId, profileKey: sender.key, connectedAt: now.toISOString() };
  await sessionStore.putWhiteboardSocket(
    opened,
    socketRecordExpiry(now.getTime(), tokenExpiryFromContext(event.requestContext.authorizer)),
  );
  const capped = await capSockets(
    {
      store: {
        socketsOf: (key) => sessionStore.whiteboardSocketsOf(key),
        deleteSocket: async (connectionId) => {
          await sessionStore.takeWhiteboardSocket(connectionId);
        },
      },
      messenger: runtime.messenger,
      sockets: runtime.sockets,
    },
    opened,
    runtime.config.socketsPerProfile,
  );
  const line = (outcome: RoutingDecision['outcome'], reason: string | null, reached = 0, gone = 0): RoutingDecision => ({
    call_id: null,
    from: sender.key,
    to: null,
    outcome,
    reason,
    sockets_reached: reached,
    gone_sockets: gone,
  });
  const { reached, gone } = capped.closed;
  logDecisions('whiteboard:$connect', started, event, [
    capped.refuseOpened ? line('refused', 'too_many_sockets') : line('connected', null),
    ...(reached.length + gone.length > 0 ? [line('disconnected', 'too_many_sockets', reached.length, gone.length)] : []),
  ]);
  return capped.refuseOpened ? { statusCode: TOO_MANY_SOCKETS_STATUS, body: 'too_many_sockets' } : { statusCode: 200 };
}
