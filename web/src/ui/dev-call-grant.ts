/**
 * Under `--call-policy conversation` the local demo vouches for its calls with grants from
 * `POST /dev/call-grant` (next to the dev sign-in), as a platform's page gets them from its own
 * backend: the page's token names the caller, the body the callee.
 */
import * as v from 'valibot';
import { DEV_CALL_GRANT_PATH, DevCallGrantResponseSchema, type DevCallGrantRequest } from '../../../shared/client-config';
import type { ProfileRef } from '../../../shared/profile';
import { CallError, CallErrorCode, type CallType, type CallVouching } from '../client';

export function devCallGrants(token: () => Promise<string>): (to: ProfileRef, type: CallType) => Promise<CallVouching> {
  return async (to, type) => {
    const request: DevCallGrantRequest = { callee: { profile_id: to.profile_id, profile_type: to.profile_type }, call_type: type };
    const response = await fetch(DEV_CALL_GRANT_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
      body: JSON.stringify(request),
    });
    const parsed = v.safeParse(DevCallGrantResponseSchema, await response.json().catch(() => undefined));
    if (!response.ok || !parsed.success)
      throw new CallError(CallErrorCode.Refused, 'No call grant could be had for this call', 'forbidden');
    return { conversationId: parsed.output.conversation_id, grant: parsed.output.call_grant };
  };
}
