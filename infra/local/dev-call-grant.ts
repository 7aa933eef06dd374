/**
 * `POST /dev/call-grant`, next to the dev sign-in and only when it is on: the local stand-in for the
 * platform backend's own grant endpoint, so the two-window demo also works under
 * `--call-policy conversation`. The caller is whoever the page's token (`Authorization: Bearer`)
 * says; the grant is for the callee named in the body and the conversation (`dev` when none).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { DEV_CONVERSATION_ID, DevCallGrantRequestSchema, type DevCallGrantResponse } from '../../shared/client-config';
import type { ProfileRef } from '../../shared/profile';
import type { CallGrantClaims } from '../../lambdas/auth/call-grant';
import { acceptJsonPost, readJsonBody, refuse } from './dev-login';
import { sendJson } from './http-util';

export interface DevCallGrantSettings {
  enabled: boolean;
  profileTypes: readonly string[];
  /** Who the bearer token says the caller is; throws when the token is not good for connecting. */
  callerOf(token: string): Promise<ProfileRef>;
  signGrant(claims: Omit<CallGrantClaims, 'typ'>): Promise<{ grant: string; expiresAt: Date }>;
}

export async function handleDevCallGrant(
  request: IncomingMessage,
  response: ServerResponse,
  settings: DevCallGrantSettings,
): Promise<void> {
  if (!settings.enabled) return refuse(response, 404, 'not_found', 'Dev sign-in is turned off, and dev call grants with it');
  if (!acceptJsonPost(request, response)) return;
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return refuse(response, 401, 'unauthorized', 'Send the signed-in token as Authorization: Bearer <token>');
  let caller: ProfileRef;
  try {
    caller = await settings.callerOf(token);
  } catch {
    return refuse(response, 401, 'unauthorized', 'The token is not valid for connecting');
  }
  const body = await readJsonBody(request, response);
  if (!body) return;
  const parsed = v.safeParse(DevCallGrantRequestSchema, body.input);
  if (!parsed.success) return refuse(response, 400, 'invalid_request', v.summarize(parsed.issues));
  const { callee, call_type: callType } = parsed.output;
  if (!settings.profileTypes.includes(callee.profile_type)) {
    return refuse(response, 400, 'invalid_request', `callee.profile_type must be one of: ${settings.profileTypes.join(', ')}`);
  }
  const given = parsed.output.conversation_id;
  const conversationId = given === undefined || given === null || given === '' ? DEV_CONVERSATION_ID : given;
  const { grant, expiresAt } = await settings.signGrant({
    caller: { profile_id: caller.profile_id, profile_type: caller.profile_type },
    callee: { profile_id: callee.profile_id, profile_type: callee.profile_type },
    conversation_id: conversationId,
    ...(callType !== undefined ? { call_type: callType } : {}),
  });
  const answer: DevCallGrantResponse = { call_grant: grant, conversation_id: conversationId, expires_at: expiresAt.toISOString() };
  sendJson(response, 200, answer);
}
