/** `$connect`: the socket becomes reachable under its profile key until it closes (or 2 h pass, or its token expires). */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { tokenExpiryFromContext } from '../../shared/identity';
import { functionForRoute } from '../../shared/routes';
import { getRuntime } from '../runtime/container';
import { logDecisions, senderOf, type WebSocketEvent } from '../runtime/handler';
import { socketRecordExpiry } from '../runtime/token-expiry';

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const { store, clock } = getRuntime(functionForRoute('$connect'));
  const sender = senderOf(event);
  const now = clock.now();
  await store.putSocket(
    { connectionId: sender.connectionId, profileKey: sender.key, connectedAt: now.toISOString() },
    socketRecordExpiry(now.getTime(), tokenExpiryFromContext(event.requestContext.authorizer)),
  );
  logDecisions('$connect', started, event, [
    { call_id: null, from: sender.key, to: null, outcome: 'connected', reason: null, sockets_reached: 0, gone_sockets: 0 },
  ]);
  return { statusCode: 200 };
}
