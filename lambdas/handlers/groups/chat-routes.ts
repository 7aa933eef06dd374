/** Every route of the chat WebSocket API in one function (`-c functionLayout=grouped`), each to its own handler. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { WebSocketEvent } from '../../runtime/handler';
import { handler as connect } from '../connect';
import { handler as disconnect } from '../disconnect';
import { handler as defaultRoute } from '../default';
import { handler as callInvitation } from '../call-invitation';
import { handler as callAnswer } from '../call-answer';
import { handler as iceCandidate } from '../ice-candidate';
import { handler as callDeclined } from '../call-declined';
import { handler as callEnded } from '../call-ended';
import { handler as callResume } from '../call-resume';
import { handler as ping } from '../ping';
import { handler as presenceQuery } from '../presence-query';
import { handler as callSettings } from '../call-settings';
import { handler as callHistory } from '../call-history';
import { handler as iceServers } from '../ice-servers';
import { handler as callRenegotiate } from '../call-renegotiate';
import { handler as callQuality } from '../call-quality';
import { handler as callInviteAccept } from '../call-invite-accept';
import { groupHandler } from './dispatch';

export const handler = groupHandler<WebSocketEvent, APIGatewayProxyResultV2>(
  'chat-routes',
  {
    connect: connect,
    disconnect: disconnect,
    default: defaultRoute,
    'call-invitation': callInvitation,
    'call-answer': callAnswer,
    'ice-candidate': iceCandidate,
    'call-declined': callDeclined,
    'call-ended': callEnded,
    'call-resume': callResume,
    ping: ping,
    'presence-query': presenceQuery,
    'call-settings': callSettings,
    'call-history': callHistory,
    'ice-servers': iceServers,
    'call-renegotiate': callRenegotiate,
    'call-quality': callQuality,
    'call-invite-accept': callInviteAccept,
  },
  (event) => event.requestContext.routeKey,
);
