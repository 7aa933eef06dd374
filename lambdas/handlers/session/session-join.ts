/** `session_join`: opens the session's call or joins (rejoins) the open one; the other member's whiteboard sockets hear it. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_join', ({ runtime, sender, message }) => runtime.sessions.join(sender, message));
