/**
 * The shape every WebSocket handler shares: who sent it, parse and validate the frame, run the
 * core, map refusals to one protocol `error`, and write one routing line per decision.
 */
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { identityFromContext, tokenExpiryFromContext } from '../../shared/identity';
import { profileKey } from '../../shared/profile';
import { functionForRoute } from '../../shared/routes';
import {
  parseClientMessage,
  type ClientMessage,
  type ClientMessageOf,
  type ParseResult,
  type ClientMessageType,
  type ServerMessage,
} from '../../shared/protocol';
import type { SweepReport } from '../core/calls';
import { ProtocolError } from '../core/errors';
import type { Delivery } from '../core/messenger';
import type { Sender } from '../core/model';
import { getRuntime, type Runtime } from './container';
import type { RoutingDecision } from '../../shared/routing-line';
import { logFailure, logRouting } from './log';
import { tokenHasExpired } from './token-expiry';

/** API Gateway's WebSocket event, with the authorizer context it carries after `$connect`. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & { authorizer?: Record<string, unknown> | null };
};

export type WebSocketHandler = (event: WebSocketEvent, context?: Context) => Promise<APIGatewayProxyResultV2>;

export function senderOf(event: WebSocketEvent): Sender {
  const identity = identityFromContext(event.requestContext.authorizer);
  // The authorizer runs on every $connect; an event without its context is a wiring fault.
  if (!identity) throw new Error('The event carries no authorizer context');
  return {
    connectionId: event.requestContext.connectionId,
    identity,
    key: profileKey(identity.profileType, identity.profileId),
  };
}

export interface RouteInput<T extends ClientMessageType> {
  sender: Sender;
  message: ClientMessageOf<T>;
  runtime: Runtime;
  reply: (message: ServerMessage) => Promise<Delivery>;
}

type Action<T extends ClientMessageType> = (input: RouteInput<T>) => Promise<RoutingDecision[]>;

const OK: APIGatewayProxyResultV2 = { statusCode: 200 };

/** When the API received the frame (epoch ms); the container's clock only if the event does not say. */
function arrivalOf(event: WebSocketEvent, runtime: Runtime): number {
  const epoch = event.requestContext.requestTimeEpoch;
  return Number.isFinite(epoch) && epoch > 0 ? epoch : runtime.clock.now().getTime();
}

/** Writes the routing lines of one invocation, timed from its start. */
export function logDecisions(
  route: string,
  started: number,
  event: { requestContext: { requestId?: string; connectionId?: string } } | undefined,
  decisions: readonly RoutingDecision[],
): void {
  const ms = Math.round((performance.now() - started) * 10) / 10;
  for (const decision of decisions) {
    logRouting({
      route,
      ...decision,
      ms,
      request_id: event?.requestContext.requestId ?? null,
      connection_id: event?.requestContext.connectionId ?? null,
    });
  }
}

/**
 * A handler for one message route. `$default` gets frames no route took: it only ever refuses them
 * (invalid JSON, no type, unknown type).
 */
export function messageRoute<T extends ClientMessageType>(route: T | '$default', act?: Action<T>): WebSocketHandler {
  const definition = functionForRoute(route);
  return async (event) => {
    const started = performance.now();
    const runtime = getRuntime(definition);
    const sender = senderOf(event);
    const reply = (message: ServerMessage) => runtime.messenger.reply(sender.connectionId, message);
    if (tokenHasExpired(tokenExpiryFromContext(event.requestContext.authorizer), arrivalOf(event, runtime))) {
      await closeExpiredSocket(route, event, runtime, reply);
      logDecisions(route, started, event, [refused(sender, 'token_expired', null)]);
      return OK;
    }
    let decisions: RoutingDecision[];
    let requestType: string | undefined;
    try {
      const parsed: ParseResult<ClientMessage> = event.isBase64Encoded
        ? { ok: false, code: 'invalid_json', message: 'Binary frames are not supported; send JSON text' }
        : parseClientMessage(event.body ?? '');
      requestType = parsed.ok ? parsed.message.type : parsed.requestType;
      // Refusals count too: a flood of bad frames must not buy a flood of error replies.
      const admission = await runtime.admission.admit(sender, route, arrivalOf(event, runtime));
      if (admission === 'dropped') {
        // Told once already in this episode: no reply, but the routing log still has each one.
        logDecisions(route, started, event, [{ ...refused(sender, 'rate_limited', null), outcome: 'dropped' }]);
        return OK;
      }
      if (admission === 'refused') throw new ProtocolError('rate_limited', 'Too many messages from this socket or profile; slow down');
      if (!parsed.ok) throw new ProtocolError(parsed.code, parsed.message);
      if (parsed.message.type !== route || !act) {
        throw new ProtocolError('unknown_type', `Message type "${parsed.message.type}" is not routed here`);
      }
      decisions = await act({ sender, message: parsed.message as ClientMessageOf<T>, runtime, reply });
    } catch (error) {
      const refusal = error instanceof ProtocolError ? error : new ProtocolError('internal', 'Something went wrong; please retry');
      if (!(error instanceof ProtocolError)) logFailure(route, event.requestContext.requestId, error);
      await reply({
        type: 'error',
        code: refusal.code,
        message: refusal.message,
        ...(requestType !== undefined ? { request_type: requestType } : {}),
        ...(refusal.callId !== undefined ? { call_id: refusal.callId } : {}),
      }).catch((replyError: unknown) => logFailure(route, event.requestContext.requestId, replyError));
      decisions = [refused(sender, refusal.code, refusal.callId ?? null)];
    }
    logDecisions(route, started, event, decisions);
    return OK;
  };
}

function refused(sender: Sender, reason: string, callId: string | null): RoutingDecision {
  return { call_id: callId, from: sender.key, to: null, outcome: 'refused', reason, sockets_reached: 0, gone_sockets: 0 };
}

/**
 * The message is not handled: the socket is told why, then closed, so that the client reconnects
 * with a fresh token (its `$disconnect` starts a call's resume grace like any drop).
 */
async function closeExpiredSocket(
  route: string,
  event: WebSocketEvent,
  runtime: Runtime,
  reply: (message: ServerMessage) => Promise<Delivery>,
): Promise<void> {
  const requestId = event.requestContext.requestId;
  await reply({ type: 'error', code: 'token_expired', message: 'Your sign-in token has expired; reconnect with a fresh one' }).catch(
    (error: unknown) => logFailure(route, requestId, error),
  );
  await runtime.sockets.close(event.requestContext.connectionId).catch((error: unknown) => logFailure(route, requestId, error));
}

/** Whether the invocation has more than `marginMs` left (always, when run without a Lambda context). */
export function hasTimeLeft(context: Context | undefined, marginMs: number): () => boolean {
  return () => (context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY) > marginMs;
}

/** The sweeper's routing lines, and one failure line per call it could not handle. */
export function logSweep(started: number, context: Context | undefined, report: SweepReport): void {
  for (const failure of report.failures) logFailure('sweeper', context?.awsRequestId ?? null, failure);
  logDecisions('sweeper', started, undefined, report.decisions);
}

/** The routing line of a reply-only route (ping, presence, history, ICE servers). */
export function replied(sender: Sender, delivery: Delivery): RoutingDecision[] {
  return [
    {
      call_id: null,
      from: sender.key,
      to: null,
      outcome: 'replied',
      reason: null,
      sockets_reached: delivery.reached.length,
      gone_sockets: delivery.gone.length,
    },
  ];
}
