/** `session_leave`: the member leaves; the call stays open for the other. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_leave', ({ runtime, sender, message }) => runtime.sessions.leave(sender, message));
