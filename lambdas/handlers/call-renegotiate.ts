/** `call_renegotiate`: Forwards a later offer or answer of an answered call to the other party's socket. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_renegotiate', ({ runtime, sender, message }) => runtime.calls.renegotiate(sender, message));
