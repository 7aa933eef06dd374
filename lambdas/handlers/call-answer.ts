/** `call_answer`: The first answer wins; the callee's other sockets stop ringing. */
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_answer', ({ runtime, sender, message }) => runtime.calls.answer(sender, message));
