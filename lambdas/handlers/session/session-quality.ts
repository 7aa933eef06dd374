/** `session_quality`: a member's end-of-call quality summary, kept on the session call's log; no reply on success. */
import { recordSessionQuality } from '../../core/sessions/session-quality';
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('session_quality', ({ runtime, sender, message }) =>
  recordSessionQuality(runtime.sessionStore, sender, message, runtime.clock.now()),
);
