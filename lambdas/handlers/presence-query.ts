/** `presence_query`: which of up to 100 profiles have a live socket. */
import { presence } from '../core/queries';
import { messageRoute, replied } from '../runtime/handler';

export const handler = messageRoute('presence_query', async ({ runtime, sender, message, reply }) =>
  replied(sender, await reply(await presence(runtime.store, message))),
);
