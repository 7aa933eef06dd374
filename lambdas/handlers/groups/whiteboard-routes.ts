/** Every route of the whiteboard WebSocket API in one function (`-c functionLayout=grouped`), each to its own handler. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { WebSocketEvent } from '../../runtime/handler';
import { handler as sessionConnect } from '../session/session-connect';
import { handler as sessionDisconnect } from '../session/session-disconnect';
import { handler as sessionDefault } from '../session/session-default';
import { handler as sessionState } from '../session/session-state';
import { handler as sessionJoin } from '../session/session-join';
import { handler as sessionSignal } from '../session/session-signal';
import { handler as sessionLeave } from '../session/session-leave';
import { handler as sessionEnd } from '../session/session-end';
import { handler as sessionHistory } from '../session/session-history';
import { handler as sessionQuality } from '../session/session-quality';
import { handler as sessionIceServers } from '../session/session-ice-servers';
import { handler as sessionPing } from '../session/session-ping';
import { groupHandler } from './dispatch';

export const handler = groupHandler<WebSocketEvent, APIGatewayProxyResultV2>(
  'whiteboard-routes',
  {
    'session-connect': sessionConnect,
    'session-disconnect': sessionDisconnect,
    'session-default': sessionDefault,
    'session-state': sessionState,
    'session-join': sessionJoin,
    'session-signal': sessionSignal,
    'session-leave': sessionLeave,
    'session-end': sessionEnd,
    'session-history': sessionHistory,
    'session-quality': sessionQuality,
    'session-ice-servers': sessionIceServers,
    'session-ping': sessionPing,
  },
  (event) => event.requestContext.routeKey,
);
