/**
 * `POST /v1/calls/invite`: the platform starts a call as seed 000 does; every socket of the callee
 * rings with `call_invite`, or the call is declined at once (offline, busy) and logged.
 */
import { CallInviteRequestSchema } from '../../../shared/platform-api';
import { bodyOf, platformRoute } from '../../runtime/platform-route';

export const handler = platformRoute('platform-call-invite', async ({ runtime, event }) => {
  const started = await runtime.calls.startInvitedCall(bodyOf(event, CallInviteRequestSchema));
  return { body: started.response, decisions: started.decisions };
});
