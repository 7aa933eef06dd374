/** `ice_servers`: STUN, and TURN with short-lived credentials where configured (see `core/ice-servers.ts`). */
import { answerFromSources, type IceSource } from '../core/ice-servers';
import { iceSources } from '../runtime/ice-sources';
import { messageRoute, replied } from '../runtime/handler';
import { logFailure } from '../runtime/log';

/** Wired on the first message, from the container's settings. */
let sources: IceSource[] | undefined;

export const handler = messageRoute('ice_servers', async ({ runtime, sender, reply }) => {
  sources ??= iceSources(runtime.config);
  const answer = await answerFromSources(sources, sender.key, runtime.clock.now(), (error) => logFailure('ice_servers', null, error));
  return replied(sender, await reply(answer));
});
