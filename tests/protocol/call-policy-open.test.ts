/**
 * PROTOCOL.md "Who may call whom", on an open deployment (the default): every profile may ring every other
 * without a grant, but a grant that is sent is still checked, so a platform can send grants
 * before it turns `CALL_POLICY=conversation` on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import { offer, startHarness, studentTutorGrant, type Harness } from '../support/harness';

let h: Harness;
let nextId = 7500;
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  delete process.env[ENV.callPolicy];
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const invitation = (tutorId: number, grant?: string) => ({
  type: 'call_invitation',
  call_type: 'voice',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  conversation_id: 12,
  offer: offer(),
  ...(grant !== undefined ? { call_grant: grant } : {}),
});

describe('an open deployment', () => {
  it('rings without a grant', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tutor = await h.connect('tutor', tutorId);
    caller.send(invitation(tutorId));
    const ringing = await caller.next('call_ringing');
    expect((await tutor.next('call_invitation')).call_id).toBe(ringing.call_id);
  });

  it('refuses a grant for another callee with forbidden, and rings with a right one', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tutor = await h.connect('tutor', tutorId);
    const grant = (calleeId: number) => studentTutorGrant(h, studentId, calleeId, 12);

    caller.send(invitation(tutorId, await grant(tutorId + 1)));
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_invitation' });

    caller.send(invitation(tutorId, await grant(tutorId)));
    const ringing = await caller.next('call_ringing');
    const rang = await tutor.next('call_invitation');
    expect(rang.call_id).toBe(ringing.call_id);
    expect(tutor.received.filter((message) => message.type === 'call_invitation')).toHaveLength(1);
  });
});
