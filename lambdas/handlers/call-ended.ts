/** `call_ended`: Ends an answered call or cancels a ringing one; idempotent. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_ended', ({ runtime, sender, message }) => runtime.calls.end(sender, message));
