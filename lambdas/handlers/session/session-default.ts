/** Whiteboard API `$default`: frames no route took (invalid JSON, no or unknown `type`, a chat call's message, binary) get `error`. */
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('$default');
