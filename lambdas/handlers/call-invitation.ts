/**
 * `call_invitation`: checks the call policy and the platform's call grant first (a refusal is
 * `forbidden`, and nothing rings), then rings every socket of the callee, or declines at once
 * (offline, busy). With the `call_id` of a call the platform started for the sender, it is the
 * caller's offer into that call; any other `call_id` is ignored.
 */
import { CallForbidden, requireMayCall, type GrantCheck } from '../core/call-policy';
import { verifyCallGrant } from '../auth/call-grant';
import { signingSecret } from '../auth/signing-secret';
import { logCallRefusal } from '../runtime/log';
import type { RuntimeConfig } from '../runtime/config';
import { messageRoute } from '../runtime/handler';

/** The secret is read only when a grant came: an open deployment without grants never needs it. */
async function checkGrant(grant: string | undefined, config: RuntimeConfig): Promise<GrantCheck> {
  if (grant === undefined) return { kind: 'absent' };
  return verifyCallGrant(await signingSecret(), grant, config.callGrantMaxTtlSeconds, new Date(), config.tokenPolicy);
}

export const handler = messageRoute('call_invitation', async ({ runtime, sender, message }) => {
  // An offer into a call the platform started needs no grant: the platform vouched when it started it.
  const started = message.call_id === undefined ? undefined : await runtime.calls.platformCallFor(sender, message.call_id);
  if (started) return runtime.calls.offerInto(started, sender, message);
  try {
    requireMayCall(runtime.config.callPolicy, await checkGrant(message.call_grant, runtime.config), sender, message);
  } catch (error) {
    if (error instanceof CallForbidden) logCallRefusal(sender.key, message, error.refusal);
    throw error;
  }
  return runtime.calls.invite(sender, message);
});
