/** `ping`: keeps the socket under the idle timeout; answered with `pong`. */
import { messageRoute, replied } from '../runtime/handler';

export const handler = messageRoute('ping', async ({ runtime, sender, message, reply }) =>
  replied(
    sender,
    await reply({ type: 'pong', ...(message.ts !== undefined ? { ts: message.ts } : {}), sent_at: runtime.clock.now().toISOString() }),
  ),
);
