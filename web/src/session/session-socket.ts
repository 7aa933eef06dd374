/** The whiteboard API's socket: the chat calls' reconnecting, queueing connection, speaking the session messages. */
import { parseSessionServerMessage } from '../../../shared/session-protocol';
import { MessageSocket } from '../client';
import type { TokenSource, WebSocketFactory } from '../client/signaling-socket';
import type { SessionSocket } from './session-call';

export interface SessionSocketOptions {
  url: string;
  token: TokenSource;
  sessionId: string;
  grant: string;
  createWebSocket?: WebSocketFactory;
}

export function createSessionSocket({ url, token, sessionId, grant, createWebSocket }: SessionSocketOptions): SessionSocket {
  return new MessageSocket(
    { url, token, ...(createWebSocket ? { createWebSocket } : {}) },
    {
      parse: parseSessionServerMessage,
      // The whiteboard API has no ping route: asking for the session's state keeps the socket alive, and refreshes the view.
      ping: () => ({ type: 'session_state', session_id: sessionId, session_grant: grant }),
      answersPing: (message) => message.type === 'session_call' || (message.type === 'error' && message.request_type === 'session_state'),
      isTokenExpired: (message) => message.type === 'error' && message.code === 'token_expired',
      ignoredWhileReplaced: () => false,
    },
  );
}
