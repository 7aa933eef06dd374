/**
 * `POST /dev/session-grant`, exactly where `POST /dev/call-grant` is served (next to the dev sign-in,
 * only when it is on): the local stand-in for the platform's `POST /v1/session-grants`, so the
 * whiteboard page works without a platform. The bearer token's profile must be one of the two
 * members named; the window is now until an hour from now unless the page names one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { DEV_SESSION_WINDOW_SECONDS, DevSessionGrantRequestSchema, type DevSessionGrantResponse } from '../../shared/client-config';
import { sameProfile, type ProfileRef } from '../../shared/profile';
import type { SessionGrantClaims, SessionWindow } from '../../lambdas/auth/session-grant';
import { acceptJsonPost, readJsonBody, refuse } from './dev-login';
import { sendJson } from './http-util';

export interface DevSessionGrantSettings {
  enabled: boolean;
  profileTypes: readonly string[];
  earlyJoinSeconds: number;
  /** Who the bearer token says the asker is; throws when the token is not good for connecting. */
  memberOf(token: string): Promise<ProfileRef>;
  signGrant(claims: Omit<SessionGrantClaims, 'typ'>, window: SessionWindow): Promise<{ grant: string; expiresAt: Date }>;
}

export async function handleDevSessionGrant(
  request: IncomingMessage,
  response: ServerResponse,
  settings: DevSessionGrantSettings,
): Promise<void> {
  if (!settings.enabled) return refuse(response, 404, 'not_found', 'Dev sign-in is turned off, and dev session grants with it');
  if (!acceptJsonPost(request, response)) return;
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return refuse(response, 401, 'unauthorized', 'Send the signed-in token as Authorization: Bearer <token>');
  let asker: ProfileRef;
  try {
    asker = await settings.memberOf(token);
  } catch {
    return refuse(response, 401, 'unauthorized', 'The token is not valid for connecting');
  }
  const body = await readJsonBody(request, response);
  if (!body) return;
  const parsed = v.safeParse(DevSessionGrantRequestSchema, body.input);
  if (!parsed.success) return refuse(response, 400, 'invalid_request', v.summarize(parsed.issues));
  const { session_id, tutor, student } = parsed.output;
  const unknownType = [tutor.profile_type, student.profile_type].find((type) => !settings.profileTypes.includes(type));
  if (unknownType !== undefined) {
    return refuse(response, 400, 'invalid_request', `profile_type must be one of: ${settings.profileTypes.join(', ')}`);
  }
  if (sameProfile(tutor, student)) return refuse(response, 400, 'invalid_request', 'tutor and student must be two profiles');
  if (!sameProfile(asker, tutor) && !sameProfile(asker, student)) {
    return refuse(response, 403, 'forbidden', 'The signed-in profile must be the tutor or the student of the session');
  }
  const now = Date.now();
  const startsAt = new Date(parsed.output.starts_at ?? now);
  const endsAt = new Date(parsed.output.ends_at ?? startsAt.getTime() + DEV_SESSION_WINDOW_SECONDS * 1000);
  if (endsAt <= startsAt) return refuse(response, 400, 'invalid_request', 'ends_at must be after starts_at');
  const { grant, expiresAt } = await settings.signGrant(
    {
      session_id,
      tutor: { profile_id: tutor.profile_id, profile_type: tutor.profile_type },
      student: { profile_id: student.profile_id, profile_type: student.profile_type },
    },
    { startsAt, endsAt, earlyJoinSeconds: settings.earlyJoinSeconds },
  );
  const answer: DevSessionGrantResponse = { grant, expires_at: expiresAt.toISOString() };
  sendJson(response, 200, answer);
}
