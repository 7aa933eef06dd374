/** `POST /v1/session-grants`: a session grant for one whiteboard session, its two members and its window, signed here. */
import { ENV } from '../../../shared/env';
import { DEFAULT_SESSION_EARLY_JOIN_SECONDS, MAX_SESSION_WINDOW_SECONDS } from '../../../shared/limits';
import { SessionGrantRequestSchema, type SessionGrantResponse } from '../../../shared/platform-api';
import { sameProfile } from '../../../shared/profile';
import { positiveNumber } from '../../../shared/settings';
import { signSessionGrant } from '../../auth/session-grant';
import { signingSecret } from '../../auth/signing-secret';
import { requireKnownProfileTypes } from '../../core/platform-queries';
import { bodyOf, PlatformRefusal, platformRoute } from '../../runtime/platform-route';

const earlyJoinSeconds = positiveNumber(
  ENV.sessionEarlyJoinSeconds,
  process.env[ENV.sessionEarlyJoinSeconds],
  DEFAULT_SESSION_EARLY_JOIN_SECONDS,
);

export const handler = platformRoute('platform-session-grants', async ({ runtime, event }) => {
  const request = bodyOf(event, SessionGrantRequestSchema);
  requireKnownProfileTypes([request.tutor.profile_type, request.student.profile_type], runtime.config.profileTypes);
  if (sameProfile(request.tutor, request.student))
    throw new PlatformRefusal(400, 'invalid_session', 'tutor and student must be two profiles');
  const startsAt = new Date(request.starts_at);
  const endsAt = new Date(request.ends_at);
  if (endsAt.getTime() - startsAt.getTime() > MAX_SESSION_WINDOW_SECONDS * 1000) {
    throw new PlatformRefusal(400, 'invalid_session', `A session window is at most ${MAX_SESSION_WINDOW_SECONDS} seconds`);
  }
  const { grant, expiresAt } = await signSessionGrant(
    await signingSecret(),
    { session_id: request.session_id, tutor: request.tutor, student: request.student },
    { startsAt, endsAt, earlyJoinSeconds },
    runtime.clock.now(),
    runtime.config.tokenPolicy,
  );
  const body: SessionGrantResponse = { grant, expires_at: expiresAt.toISOString() };
  return { body };
});
