/**
 * How a page is opened on a tutoring session: `/?session=<id>&tutor=<profile id>&student=<profile id>`,
 * on the same page as the chat calls (so `npm start` and the CDK's site serve it unchanged). The
 * platform adds `#token=…&session_grant=…`; locally the page asks `POST /dev/session-grant` for a
 * grant instead. The grant is kept per tab and session, so a reload finds it.
 */
import * as v from 'valibot';
import { DEV_SESSION_GRANT_PATH, type DevSessionGrantRequest } from '../../../shared/client-config';
import { profileIdFromInput, sameProfile, type ProfileRef } from '../../../shared/profile';
import { SESSION_ID_PATTERN } from '../../../shared/session-id';
import type { SessionRole } from '../../../shared/session-protocol';
import type { Me } from '../ui/session';

export const SESSION_QUERY_PARAMETER = 'session';
const GRANT_FRAGMENT_PARAMETER = 'session_grant';
/** The session's members are a tutor profile and a student profile. */
const MEMBER_TYPES: Record<SessionRole, string> = { tutor: 'tutor', student: 'student' };

export interface SessionLink {
  sessionId: string;
  tutor: ProfileRef;
  student: ProfileRef;
}

/** The session this page was opened on, or undefined for the chat calls' page. */
export function readSessionLink(url: URL): SessionLink | undefined {
  const sessionId = url.searchParams.get(SESSION_QUERY_PARAMETER);
  const tutor = url.searchParams.get('tutor');
  const student = url.searchParams.get('student');
  if (sessionId === null || !SESSION_ID_PATTERN.test(sessionId) || !tutor || !student) return undefined;
  return {
    sessionId,
    tutor: { profile_type: MEMBER_TYPES.tutor, profile_id: profileIdFromInput(tutor) },
    student: { profile_type: MEMBER_TYPES.student, profile_id: profileIdFromInput(student) },
  };
}

export function sessionLinkUrl(link: SessionLink): string {
  const params = new URLSearchParams({
    [SESSION_QUERY_PARAMETER]: link.sessionId,
    tutor: String(link.tutor.profile_id),
    student: String(link.student.profile_id),
  });
  return `/?${params.toString()}`;
}

/** Which member the signed-in profile is, or undefined for someone else. */
export function roleOf(link: SessionLink, me: Me): SessionRole | undefined {
  const mine = { profile_type: me.profileType, profile_id: me.profileId };
  if (sameProfile(mine, link.tutor)) return 'tutor';
  if (sameProfile(mine, link.student)) return 'student';
  return undefined;
}

const grantKey = (sessionId: string) => `callsignal.session-grant.${sessionId}`;

/** The platform's grant from `#session_grant=…`, taken out of the address bar and kept for this tab. */
export function takeFragmentGrant(sessionId: string): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const grant = params.get(GRANT_FRAGMENT_PARAMETER);
  if (!grant) return;
  sessionStorage.setItem(grantKey(sessionId), grant);
  params.delete(GRANT_FRAGMENT_PARAMETER);
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

const GrantResponseSchema = v.object({ grant: v.string(), expires_at: v.string() });

/** The grant for this session: the one kept for this tab, else (locally) a new one from the dev endpoint. */
export async function sessionGrant(link: SessionLink, token: () => Promise<string>, devLogin: boolean): Promise<string> {
  const kept = sessionStorage.getItem(grantKey(link.sessionId));
  if (kept) return kept;
  if (!devLogin) throw new Error('This session link has no session grant: open it from the platform again.');
  const request: DevSessionGrantRequest = { session_id: link.sessionId, tutor: link.tutor, student: link.student };
  const response = await fetch(DEV_SESSION_GRANT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
    body: JSON.stringify(request),
  });
  const parsed = v.safeParse(GrantResponseSchema, await response.json().catch(() => undefined));
  if (!response.ok || !parsed.success) throw new Error('No session grant could be had for this session.');
  sessionStorage.setItem(grantKey(link.sessionId), parsed.output.grant);
  return parsed.output.grant;
}

/** A kept grant the server refused (expired, say): the next attempt asks for a new one. */
export function forgetGrant(sessionId: string): void {
  sessionStorage.removeItem(grantKey(sessionId));
}
