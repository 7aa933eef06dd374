/** `session_end`: ends the session call for both members. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_end', ({ runtime, sender, message }) => runtime.sessions.end(sender, message));
