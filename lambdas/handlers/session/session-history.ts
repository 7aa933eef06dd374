/** `session_history`: the session's calls, newest first, to a member presenting the session grant. */
import { DEFAULT_HISTORY_LIMIT } from '../../../shared/limits';
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_history', ({ runtime, sender, message }) =>
  runtime.sessions.history(sender, message, DEFAULT_HISTORY_LIMIT),
);
