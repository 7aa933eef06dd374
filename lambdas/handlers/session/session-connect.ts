/**
 * Whiteboard API `$connect`: the socket becomes reachable under its profile's whiteboard index key
 * (never among its chat sockets) until it closes, its token expires or 2 h pass.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { tokenExpiryFromContext } from '../../../shared/identity';
import { functionForRoute } from '../../../shared/routes';
import { logDecisions, senderOf, type WebSocketEvent } from '../../runtime/handler';
import { getSessionRuntime } from '../../runtime/session-container';
import { socketRecordExpiry } from '../../runtime/token-expiry';

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const runtime = getSessionRuntime(functionForRoute('$connect', 'whiteboard'));
  const sender = senderOf(event);
  const now = runtime.clock.now();
  await runtime.sessionStore.putWhiteboardSocket(
    { connectionId: sender.connectionId, profileKey: sender.key, connectedAt: now.toISOString() },
    socketRecordExpiry(now.getTime(), tokenExpiryFromContext(event.requestContext.authorizer)),
  );
  logDecisions('whiteboard:$connect', started, event, [
    { call_id: null, from: sender.key, to: null, outcome: 'connected', reason: null, sockets_reached: 0, gone_sockets: 0 },
  ]);
  return { statusCode: 200 };
}
