/** `presence_query`: which of up to 100 profiles the sender may call right now and have a live socket. */
import { checkGrants } from '../auth/grant-checks';
import { presence } from '../core/presence';
import { messageRoute, replied } from '../runtime/handler';

export const handler = messageRoute('presence_query', async ({ runtime, sender, message, reply }) => {
  const grants = await checkGrants(
    message.profiles.map((profile) => profile.call_grant),
    runtime.config.callGrantMaxTtlSeconds,
    runtime.config.tokenPolicy,
  );
  const deps = { store: runtime.store, profileSettings: runtime.profileSettings, policy: runtime.config.callPolicy };
  return replied(sender, await reply(await presence(deps, sender, message, grants)));
});
