/** `$disconnect`: the socket is gone; a call it was in is cancelled or waits for a resume. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { functionForRoute } from '../../shared/routes';
import { getRuntime } from '../runtime/container';
import { logDecisions, senderOf, type WebSocketEvent } from '../runtime/handler';

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const decisions = await getRuntime(functionForRoute('$disconnect')).calls.socketClosed(senderOf(event));
  logDecisions('$disconnect', started, event, decisions);
  return { statusCode: 200 };
}
