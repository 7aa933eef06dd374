/** `call_declined`: Declines a ringing call on every device of the callee. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_declined', ({ runtime, sender, message }) => runtime.calls.decline(sender, message));
