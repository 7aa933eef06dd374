/** `$connect`: the socket becomes reachable under its profile key until it closes (or 2 h pass). */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { MAX_CONNECTION_SECONDS } from '../../shared/limits';
import { functionForRoute } from '../../shared/routes';
import { getRuntime } from '../runtime/container';
import { logDecisions, senderOf, type WebSocketEvent } from '../runtime/handler';

/** Past API Gateway's 2 h cap a socket record can only be a leftover. */
const SOCKET_TTL_SECONDS = MAX_CONNECTION_SECONDS + 5 * 60;

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const { store, clock } = getRuntime(functionForRoute('$connect'));
  const sender = senderOf(event);
  const now = clock.now();
  await store.putSocket(
    { connectionId: sender.connectionId, profileKey: sender.key, connectedAt: now.toISOString() },
    Math.floor(now.getTime() / 1000) + SOCKET_TTL_SECONDS,
  );
  logDecisions('$connect', started, event, [
    { call_id: null, from: sender.key, to: null, outcome: 'connected', reason: null, sockets_reached: 0, gone_sockets: 0 },
  ]);
  return { statusCode: 200 };
}
