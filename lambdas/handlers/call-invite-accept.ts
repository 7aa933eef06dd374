/** `call_invite_accept`: a callee socket accepts a call the platform started; the caller's sockets are told to offer. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_invite_accept', ({ runtime, sender, message }) => runtime.calls.acceptInvite(sender, message));
