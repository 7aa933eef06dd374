/** `session_state`: the session's open call (or none), to a member presenting the session grant. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_state', ({ runtime, sender, message }) => runtime.sessions.state(sender, message));
