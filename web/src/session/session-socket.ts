/** The whiteboard API's socket: the chat calls' reconnecting, queueing connection, speaking the session messages. */
import { parseSessionServerMessage } from '../../../shared/session-protocol';
import { MessageSocket } from '../client';
import type { TokenSource, WebSocketFactory } from '../client/signaling-socket';
import type { SessionSocket } from './session-call';

export interface SessionSocketOptions {
  url: string;
  token: TokenSource;
  createWebSocket?: WebSocketFactory;
}

export function createSessionSocket({ url, token, createWebSocket }: SessionSocketOptions): SessionSocket {
  return new MessageSocket(
    { url, token, ...(createWebSocket ? { createWebSocket } : {}) },
    {
      parse: parseSessionServerMessage,
      ping: () => ({ type: 'ping' }),
      answersPing: (message) => message.type === 'pong' || (message.type === 'error' && message.request_type === 'ping'),
      isTokenExpired: (message) => message.type === 'error' && message.code === 'token_expired',
      ignoredWhileReplaced: () => false,
    },
  );
}
