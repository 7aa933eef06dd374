/** Whiteboard API `$disconnect`: the socket is gone; the member it joined a session call from is absent and may rejoin. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { functionForRoute } from '../../../shared/routes';
import { logDecisions, senderOf, type WebSocketEvent } from '../../runtime/handler';
import { getSessionRuntime } from '../../runtime/session-container';

export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const started = performance.now();
  const runtime = getSessionRuntime(functionForRoute('$disconnect', 'whiteboard'));
  const decisions = await runtime.sessions.socketClosed(senderOf(event).connectionId);
  logDecisions('whiteboard:$disconnect', started, event, decisions);
  return { statusCode: 200 };
}
