/** `ping` on the whiteboard API: keeps a session page's socket under the idle timeout; answered with `pong`. */
import { replied } from '../../runtime/handler';
import { sessionMessageRoute } from '../../runtime/session-handler';

export const handler = sessionMessageRoute('ping', async ({ runtime, sender, message }) =>
  replied(
    sender,
    await runtime.messenger.reply(sender.connectionId, {
      type: 'pong',
      ...(message.ts !== undefined ? { ts: message.ts } : {}),
      sent_at: runtime.clock.now().toISOString(),
    }),
  ),
);
