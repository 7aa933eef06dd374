/** `call_invitation`: Rings every socket of the callee, or declines at once (offline, busy). */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_invitation', ({ runtime, sender, message }) => runtime.calls.invite(sender, message));
