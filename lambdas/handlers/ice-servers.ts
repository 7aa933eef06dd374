/** `ice_servers`: STUN, and TURN with short-lived credentials where configured. */
import { iceServers } from '../core/queries';
import { messageRoute, replied } from '../runtime/handler';

export const handler = messageRoute('ice_servers', async ({ runtime, sender, reply }) =>
  replied(sender, await reply(iceServers(runtime.config, sender, runtime.clock.now()))),
);
