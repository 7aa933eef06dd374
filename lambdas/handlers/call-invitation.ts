/**
 * `call_invitation`: checks the call policy and the platform's call grant first (a refusal is
 * `forbidden`, and nothing rings), then the callee's own settings and every socket of the callee
 * (see `lambdas/core/invite.ts`).
 */
import { checkGrant } from '../auth/grant-checks';
import { CallForbidden, requireMayCall, type PolicyPassed } from '../core/call-policy';
import { logCallRefusal } from '../runtime/log';
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_invitation', async ({ runtime, sender, message }) => {
  const { callPolicy, callGrantMaxTtlSeconds } = runtime.config;
  let passed: PolicyPassed;
  try {
    passed = requireMayCall(callPolicy, await checkGrant(message.call_grant, callGrantMaxTtlSeconds), sender, message);
  } catch (error) {
    if (error instanceof CallForbidden) logCallRefusal(sender.key, message, error.refusal);
    throw error;
  }
  return runtime.calls.invite(sender, message, passed);
});
