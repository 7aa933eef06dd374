/**
 * `call_invitation`: checks the call policy and the platform's call grant first (a refusal is
 * `forbidden`, and nothing rings), then the callee's own settings and every socket of the callee
 * (see `lambdas/core/invite.ts`). With the `call_id` of a call the platform started for the sender,
 * it is the caller's offer into that call; any other `call_id` is ignored.
 */
import { checkGrant } from '../auth/grant-checks';
import { CallForbidden, requireMayCall, type PolicyPassed } from '../core/call-policy';
import { logCallRefusal } from '../runtime/log';
import { messageRoute } from '../runtime/handler';

export const handler = messageRoute('call_invitation', async ({ runtime, sender, message }) => {
  // An offer into a call the platform started needs no grant: the platform vouched when it started it.
  const started = message.call_id === undefined ? undefined : await runtime.calls.platformCallFor(sender, message.call_id);
  if (started) return runtime.calls.offerInto(started, sender, message);
  const { callPolicy, callGrantMaxTtlSeconds, tokenPolicy } = runtime.config;
  let passed: PolicyPassed;
  try {
    passed = requireMayCall(callPolicy, await checkGrant(message.call_grant, callGrantMaxTtlSeconds, tokenPolicy), sender, message);
  } catch (error) {
    if (error instanceof CallForbidden) logCallRefusal(sender.key, message, error.refusal);
    throw error;
  }
  return runtime.calls.invite(sender, message, passed);
});
