/** `session_signal`: a joined member's description or candidates, forwarded to the other member's joined socket. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_signal', ({ runtime, sender, message }) => runtime.sessions.signal(sender, message));
