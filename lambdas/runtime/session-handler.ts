/**
 * The shape every whiteboard API handler shares, as `handler.ts` is for the chat API: who sent it
 * (the same authorizer context), parse and validate against the whiteboard API's schemas, admit,
 * run the session core, map refusals to one protocol `error`, one routing line per decision.
 */
import { tokenExpiryFromContext } from '../../shared/identity';
import { functionForRoute } from '../../shared/routes';
import type { RoutingDecision } from '../../shared/routing-line';
import {
  parseSessionClientMessage,
  type SessionClientMessageOf,
  type SessionMessageType,
  type SessionParseResult,
  type SessionServerMessage,
} from '../../shared/session-protocol';
import { ProtocolError } from '../core/errors';
import type { Sender } from '../core/model';
import { logDecisions, senderOf, type WebSocketEvent, type WebSocketHandler } from './handler';
import { logFailure } from './log';
import { getSessionRuntime, type SessionRuntime } from './session-container';
import { tokenHasExpired } from './token-expiry';

export interface SessionRouteInput<T extends SessionMessageType> {
  sender: Sender;
  message: SessionClientMessageOf<T>;
  runtime: SessionRuntime;
}

type SessionAction<T extends SessionMessageType> = (input: SessionRouteInput<T>) => Promise<RoutingDecision[]>;

const OK = { statusCode: 200 };

const refused = (sender: Sender, reason: string, callId: string | null): RoutingDecision => ({
  call_id: callId,
  from: sender.key,
  to: null,
  outcome: 'refused',
  reason,
  sockets_reached: 0,
  gone_sockets: 0,
});

/** A handler for one route of the whiteboard API; `$default` only ever refuses. */
export function sessionMessageRoute<T extends SessionMessageType>(route: T | '$default', act?: SessionAction<T>): WebSocketHandler {
  const definition = functionForRoute(route, 'whiteboard');
  const logRoute = route === '$default' ? 'whiteboard:$default' : route;
  return async (event: WebSocketEvent) => {
    const started = performance.now();
    const runtime = getSessionRuntime(definition);
    const sender = senderOf(event);
    const reply = (message: SessionServerMessage) => runtime.messenger.reply(sender.connectionId, message);
    const arrival =
      Number.isFinite(event.requestContext.requestTimeEpoch) && event.requestContext.requestTimeEpoch > 0
        ? event.requestContext.requestTimeEpoch
        : runtime.clock.now().getTime();
    if (tokenHasExpired(tokenExpiryFromContext(event.requestContext.authorizer), arrival)) {
      await reply({ type: 'error', code: 'token_expired', message: 'Your sign-in token has expired; reconnect with a fresh one' }).catch(
        (error: unknown) => logFailure(logRoute, event.requestContext.requestId, error),
      );
      await runtime.sockets
        .close(sender.connectionId)
        .catch((error: unknown) => logFailure(logRoute, event.requestContext.requestId, error));
      logDecisions(logRoute, started, event, [refused(sender, 'token_expired', null)]);
      return OK;
    }
    let decisions: RoutingDecision[];
    let requestType: string | undefined;
    try {
      const parsed: SessionParseResult = event.isBase64Encoded
        ? { ok: false, code: 'invalid_json', message: 'Binary frames are not supported; send JSON text' }
        : parseSessionClientMessage(event.body ?? '');
      requestType = parsed.ok ? parsed.message.type : parsed.requestType;
      const admission = await runtime.admission.admit(sender, route, arrival);
      if (admission === 'dropped') {
        logDecisions(logRoute, started, event, [{ ...refused(sender, 'rate_limited', null), outcome: 'dropped' }]);
        return OK;
      }
      if (admission === 'refused') throw new ProtocolError('rate_limited', 'Too many messages from this socket or profile; slow down');
      if (!parsed.ok) throw new ProtocolError(parsed.code, parsed.message);
      if (parsed.message.type !== route || !act) {
        throw new ProtocolError('unknown_type', `Message type "${parsed.message.type}" is not routed here`);
      }
      decisions = await act({ sender, message: parsed.message as SessionClientMessageOf<T>, runtime });
    } catch (error) {
      const refusal = error instanceof ProtocolError ? error : new ProtocolError('internal', 'Something went wrong; please retry');
      if (!(error instanceof ProtocolError)) logFailure(logRoute, event.requestContext.requestId, error);
      await reply({
        type: 'error',
        code: refusal.code,
        message: refusal.message,
        ...(requestType !== undefined ? { request_type: requestType } : {}),
        ...(refusal.callId !== undefined ? { call_id: refusal.callId } : {}),
      }).catch((replyError: unknown) => logFailure(logRoute, event.requestContext.requestId, replyError));
      decisions = [refused(sender, refusal.code, refusal.callId ?? null)];
    }
    logDecisions(logRoute, started, event, decisions);
    return OK;
  };
}
