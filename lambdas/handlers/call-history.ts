/** `call_history`: the sender's own calls, newest first, a page at a time. */
import { history } from '../core/queries';
import { messageRoute, replied } from '../runtime/handler';

export const handler = messageRoute('call_history', async ({ runtime, sender, message, reply }) =>
  replied(sender, await reply(await history(runtime.store, sender, message))),
);
