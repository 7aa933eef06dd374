/**
 * PROTOCOL.md "Who may call whom", on a conversation-required deployment (`CALL_POLICY=conversation`),
 * over real WebSockets: a call rings only with the platform's call grant for this caller, this
 * callee and this conversation; every other invitation gets the same `forbidden` and rings nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import type { ServerMessageOf } from '../../shared/protocol';
import { offer, startHarness, studentTutorGrant, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let nextId = 7000;
const ids = () => [nextId++, nextId++] as const;
const CONVERSATION = 'conv-31';

beforeAll(async () => {
  // The handlers read their settings once, so the policy is set before the gateway starts.
  process.env[ENV.callPolicy] = 'conversation';
  h = await startHarness();
});
afterAll(async () => {
  delete process.env[ENV.callPolicy];
  await h?.close();
});

const grantFor = (callerId: number, calleeId: number, changes: { conversation_id?: string; issuedAt?: Date } = {}) =>
  studentTutorGrant(h, callerId, calleeId, changes.conversation_id ?? CONVERSATION, {
    ttlSeconds: 60,
    ...(changes.issuedAt ? { issuedAt: changes.issuedAt } : {}),
  });

const invitation = (tutorId: number, grant?: string) => ({
  type: 'call_invitation',
  call_type: 'video',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  conversation_id: CONVERSATION,
  offer: offer(),
  ...(grant !== undefined ? { call_grant: grant } : {}),
});

async function refused(caller: TestSocket, message: object) {
  caller.send(message);
  return caller.next('error', (error) => error.request_type === 'call_invitation');
}

/**
 * Nothing rang for the refused invitations: the first invitation the callee's sockets hear is the
 * granted call placed after them, and it is the caller's only call in its history.
 */
async function onlyTheGrantedCallRang(caller: TestSocket, tabs: TestSocket[], studentId: number, tutorId: number) {
  caller.send(invitation(tutorId, await grantFor(studentId, tutorId)));
  const ringing = await caller.next('call_ringing');
  expect(ringing.devices).toBe(tabs.length);
  for (const tab of tabs) {
    const rang = await tab.next('call_invitation');
    expect(rang.call_id).toBe(ringing.call_id);
    expect(tab.received.filter((message) => message.type === 'call_invitation')).toHaveLength(1);
  }
  caller.send({ type: 'call_ended', call_id: ringing.call_id });
  await tabs[0]!.next('call_ended');
  caller.send({ type: 'call_history' });
  const history = await caller.next('call_history');
  expect(history.items.map((item) => item.call_id)).toEqual([ringing.call_id]);
  expect(history.items[0]).toMatchObject({ conversation_id: CONVERSATION });
}

describe('a conversation-required deployment', () => {
  it('refuses an invitation without a grant with forbidden, and rings none of the callee’s sockets', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tabs = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];

    const refusal = await refused(caller, invitation(tutorId));
    expect(refusal).toMatchObject({ type: 'error', code: 'forbidden', request_type: 'call_invitation' });
    expect(refusal).not.toHaveProperty('call_id');
    expect(caller.received.map((message) => message.type)).not.toContain('call_ringing');

    await onlyTheGrantedCallRang(caller, tabs, studentId, tutorId);
  });

  it('rings every socket of the callee with a grant for this caller, callee and conversation', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tabs = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    await onlyTheGrantedCallRang(caller, tabs, studentId, tutorId);
  });

  it('gives the same forbidden to a grant for another callee, an expired grant, a connect token, a grant for another conversation and a stolen grant', async () => {
    const [studentId, tutorId] = ids();
    const [otherStudentId, otherTutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tabs = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    const connectToken = await h.token({ profile_id: studentId, profile_type: 'student', name: 'John Doe' }, 60);

    const wrongGrants = [
      await grantFor(studentId, otherTutorId),
      await grantFor(studentId, tutorId, { issuedAt: new Date(Date.now() - 120_000) }),
      connectToken,
      await grantFor(studentId, tutorId, { conversation_id: 'conv-other' }),
      await grantFor(otherStudentId, tutorId),
    ];
    const refusals: ServerMessageOf<'error'>[] = [];
    for (const grant of wrongGrants) refusals.push(await refused(caller, invitation(tutorId, grant)));
    expect(refusals.map(({ code, message }) => ({ code, message }))).toEqual(
      wrongGrants.map(() => ({ code: 'forbidden', message: refusals[0]!.message })),
    );

    // Refusals count against the socket's offer budget (5 a second), so the granted call comes from another tab.
    await onlyTheGrantedCallRang(await h.connect('student', studentId), tabs, studentId, tutorId);
  });

  it('tells a caller without a grant nothing about the callee: offline, online and busy profiles get the same forbidden', async () => {
    const [studentId, busyTutorId] = ids();
    const [offlineTutorId, onlineTutorId] = ids();
    const [busyStudentId] = ids();
    const caller = await h.connect('student', studentId);
    await h.connect('tutor', onlineTutorId);
    const busyTutor = await h.connect('tutor', busyTutorId);
    const busyCaller = await h.connect('student', busyStudentId);
    busyCaller.send({ ...invitation(busyTutorId, await grantFor(busyStudentId, busyTutorId)) });
    await busyTutor.next('call_invitation');

    const answers = [];
    for (const tutorId of [offlineTutorId, onlineTutorId, busyTutorId]) {
      const { code, message } = await refused(caller, invitation(tutorId));
      answers.push({ code, message });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]!.code).toBe('forbidden');
    expect(caller.received.map((message) => message.type)).not.toContain('call_declined');
  });
});

describe('presence on a conversation-required deployment', () => {
  it('shows a profile online only to an asker with a grant for the pair', async () => {
    const [studentId, tutorId] = ids();
    const [otherTutorId] = ids();
    const asker = await h.connect('student', studentId);
    await h.connect('tutor', tutorId);
    await h.connect('tutor', otherTutorId);
    asker.send({
      type: 'presence_query',
      profiles: [
        { profile_id: tutorId, profile_type: 'tutor' },
        { profile_id: tutorId, profile_type: 'tutor', call_grant: await grantFor(studentId, tutorId) },
        { profile_id: otherTutorId, profile_type: 'tutor', call_grant: await grantFor(studentId, tutorId) },
        {
          profile_id: otherTutorId,
          profile_type: 'tutor',
          call_grant: await grantFor(studentId, otherTutorId, { issuedAt: new Date(Date.now() - 120_000) }),
        },
      ],
    });
    expect((await asker.next('presence')).profiles).toEqual([
      { profile_id: tutorId, profile_type: 'tutor', online: false },
      { profile_id: tutorId, profile_type: 'tutor', online: true },
      { profile_id: otherTutorId, profile_type: 'tutor', online: false },
      { profile_id: otherTutorId, profile_type: 'tutor', online: false },
    ]);
  });
});
