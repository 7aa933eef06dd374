/** `ice_servers` on the whiteboard API: the chat API's answer (STUN, TURN with short-lived credentials), to a whiteboard socket. */
import { answerFromSources, type IceSource } from '../../core/ice-servers';
import { replied } from '../../runtime/handler';
import { iceSources } from '../../runtime/ice-sources';
import { logFailure } from '../../runtime/log';
import { sessionMessageRoute } from '../../runtime/session-handler';

/** Wired on the first message, from the container's settings. */
let sources: IceSource[] | undefined;

export const handler = sessionMessageRoute('ice_servers', async ({ runtime, sender }) => {
  sources ??= iceSources(runtime.config.ice);
  const answer = await answerFromSources(sources, sender.key, runtime.clock.now(), (error) => logFailure('ice_servers', null, error));
  return replied(sender, await runtime.messenger.reply(sender.connectionId, answer));
});
