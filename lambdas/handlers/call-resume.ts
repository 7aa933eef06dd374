/** `call_resume`: Re-binds a participant's new socket to its answered call. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_resume', ({ runtime, sender, message }) => runtime.calls.resume(sender, message));
