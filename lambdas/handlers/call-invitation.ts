/**
 * `call_invitation`: checks the call policy and the platform's call grant first (a refusal is
 * `forbidden`, and nothing rings), then rings every socket of the callee, or declines at once
 * (offline, busy).
 */
import { CallForbidden, requireMayCall, type GrantCheck } from '../core/call-policy';
import { verifyCallGrant } from '../auth/call-grant';
import { signingSecret } from '../auth/signing-secret';
import { logCallRefusal } from '../runtime/log';
import { messageRoute } from '../runtime/handler';

/** The secret is read only when a grant came: an open deployment without grants never needs it. */
async function checkGrant(grant: string | undefined, maxTtlSeconds: number): Promise<GrantCheck> {
  if (grant === undefined) return { kind: 'absent' };
  return verifyCallGrant(await signingSecret(), grant, maxTtlSeconds);
}

export const handler = messageRoute('call_invitation', async ({ runtime, sender, message }) => {
  const { callPolicy, callGrantMaxTtlSeconds } = runtime.config;
  try {
    requireMayCall(callPolicy, await checkGrant(message.call_grant, callGrantMaxTtlSeconds), sender, message);
  } catch (error) {
    if (error instanceof CallForbidden) logCallRefusal(sender.key, message, error.refusal);
    throw error;
  }
  return runtime.calls.invite(sender, message);
});
