/**
 * `$connect`: the socket becomes reachable under its profile key until it closes (or 2 h pass, or
 * its token expires), and the profile's oldest sockets beyond its cap are closed.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { FEATURES_QUERY_PARAMETER, parseConnectFeatures } from '../../shared/connect-features';
import { tokenExpiryFromContext } from '../../shared/identity';
import { functionForRoute } from '../../shared/routes';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Sender } from '../core/model';
import { capSockets, type SocketCapOutcome } from '../core/socket-cap';
import { getRuntime } from '../runtime/container';
import { logDecisions, senderOf, type WebSocketEvent } from '../runtime/handler';
import { socketRecordExpiry } from '../runtime/token-expiry';

/** API Gateway answers the upgrade with this status: the profile holds enough newer sockets. */
const TOO_MANY_SOCKETS_STATUS = 429;

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const runtime = getRuntime(functionForRoute('$connect'));
  const { store, clock } = runtime;
  const sender = senderOf(event);
  const now = clock.now();
  const opened = { connectionId: sender.connectionId, profileKey: sender.key, connectedAt: now.toISOString() };
  const features = parseConnectFeatures(event.queryStringParameters?.[FEATURES_QUERY_PARAMETER]);
  await store.putSocket(
    { ...opened, features },
    socketRecordExpiry(now.getTime(), tokenExpiryFromContext(event.requestContext.authorizer)),
  );
  const capped = await capSockets(runtime, opened, runtime.config.socketsPerProfile);
  logDecisions('$connect', started, event, decisionsOf(sender, capped));
  return capped.refuseOpened ? { statusCode: TOO_MANY_SOCKETS_STATUS, body: 'too_many_sockets' } : { statusCode: 200 };
}

function decisionsOf(sender: Sender, capped: SocketCapOutcome): RoutingDecision[] {
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
  return [
    capped.refuseOpened ? line('refused', 'too_many_sockets') : line('connected', null),
    // The older sockets closed to make room: how many were told, how many were gone already.
    ...(reached.length + gone.length > 0 ? [line('disconnected', 'too_many_sockets', reached.length, gone.length)] : []),
  ];
}
