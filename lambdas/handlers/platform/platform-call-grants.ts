/** `POST /v1/call-grants`: a call grant for one caller, one callee and one conversation, signed here. */
import { CallGrantRequestSchema, type CallGrantResponse } from '../../../shared/platform-api';
import { signCallGrant } from '../../auth/call-grant';
import { signingSecret } from '../../auth/signing-secret';
import { GrantTtlTooLong, grantTtlSeconds, requireKnownProfileTypes } from '../../core/platform-queries';
import { bodyOf, PlatformRefusal, platformRoute } from '../../runtime/platform-route';

export const handler = platformRoute('platform-call-grants', async ({ runtime, event }) => {
  const request = bodyOf(event, CallGrantRequestSchema);
  const { callGrantMaxTtlSeconds, tokenPolicy, profileTypes } = runtime.config;
  requireKnownProfileTypes([request.caller.profile_type, request.callee.profile_type], profileTypes);
  let ttlSeconds: number;
  try {
    ttlSeconds = grantTtlSeconds(request, callGrantMaxTtlSeconds);
  } catch (error) {
    if (error instanceof GrantTtlTooLong) throw new PlatformRefusal(400, 'ttl_too_long', error.message);
    throw error;
  }
  const { caller, callee, conversation_id, call_type } = request;
  const { grant, expiresAt } = await signCallGrant(
    await signingSecret(),
    { caller, callee, conversation_id, ...(call_type !== undefined ? { call_type } : {}) },
    ttlSeconds,
    runtime.clock.now(),
    tokenPolicy,
  );
  const body: CallGrantResponse = { call_grant: grant, expires_at: expiresAt.toISOString() };
  return { body };
});
