/**
 * PROTOCOL.md "Renegotiation" (`call_renegotiate`), over real WebSockets against the real local
 * gateway and store: later offers and answers of an answered call reach the other party's bound
 * socket, and nobody else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';

let h: Harness;
let nextId = 7000;
const ids = () => [nextId++, nextId++] as const;
const UNKNOWN_CALL_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

describe('renegotiating an answered call', () => {
  it('carries an ICE-restart offer from the caller to the callee and its answer back, stamped like other forwarded messages', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);

    caller.send({ type: 'call_renegotiate', call_id: callId, description: offer('restart'), from_profile_id: 666 });
    const forwardedOffer = await callee.next('call_renegotiate');
    expect(forwardedOffer).toMatchObject({
      call_id: callId,
      conversation_id: null,
      description: offer('restart'),
      from_profile_id: studentId,
      from_profile_type: 'student',
      from_name: 'John Doe',
    });
    expect(Number.isNaN(Date.parse(forwardedOffer.sent_at))).toBe(false);

    callee.send({ type: 'call_renegotiate', call_id: callId, description: answer('restart') });
    expect(await caller.next('call_renegotiate')).toMatchObject({
      call_id: callId,
      description: answer('restart'),
      from_profile_id: tutorId,
      from_name: 'Ada Tutor',
    });
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });
  });

  it('lets the callee offer too (a screen shared from the callee side)', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    callee.send({ type: 'call_renegotiate', call_id: callId, description: offer('screen') });
    expect(await caller.next('call_renegotiate')).toMatchObject({ description: offer('screen'), from_profile_id: tutorId });
  });

  it('reaches only the socket a resume moved the call to', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    const replacement = await h.connect('tutor', tutorId, 'Ada Tutor');
    replacement.send({ type: 'call_resume', call_id: callId });
    await replacement.next('call_resumed');
    await caller.next('call_resumed');

    caller.send({ type: 'call_renegotiate', call_id: callId, description: offer('after-resume') });
    expect(await replacement.next('call_renegotiate')).toMatchObject({ description: offer('after-resume') });
    expect(await callee.quietFor(150, ['call_renegotiate'])).toEqual([]);
  });
});

describe('who may not renegotiate', () => {
  it('refuses a non-participant, and an unknown call id the same way, forwarding nothing', async () => {
    const [studentId, tutorId] = ids();
    const [outsiderId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    const outsider = await h.connect('parent', outsiderId);

    for (const target of [callId, UNKNOWN_CALL_ID]) {
      outsider.send({ type: 'call_renegotiate', call_id: target, description: offer('intruder') });
      expect(await outsider.next('error')).toEqual({
        type: 'error',
        code: 'not_a_participant',
        message: 'You are not a participant of this call',
        request_type: 'call_renegotiate',
        call_id: target,
      });
    }
    expect(await caller.quietFor(150, ['call_renegotiate'])).toEqual([]);
    expect(await callee.quietFor(0, ['call_renegotiate'])).toEqual([]);
  });

  it('refuses a call that is still ringing, and one that is over, with call_not_found', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, 'John Doe');
    const callee = await h.connect('tutor', tutorId, 'Ada Tutor');
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');

    caller.send({ type: 'call_renegotiate', call_id: callId, description: offer('too-early') });
    expect(await caller.next('error')).toMatchObject({ code: 'call_not_found', request_type: 'call_renegotiate', call_id: callId });
    expect(await callee.quietFor(150, ['call_renegotiate'])).toEqual([]);

    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');
    caller.send({ type: 'call_ended', call_id: callId });
    await callee.next('call_ended');
    callee.send({ type: 'call_renegotiate', call_id: callId, description: offer('too-late') });
    expect(await callee.next('error')).toMatchObject({ code: 'call_not_found', request_type: 'call_renegotiate', call_id: callId });
    expect(await caller.quietFor(150, ['call_renegotiate'])).toEqual([]);
  });

  it('refuses another device of a party, whose socket the call is not bound to', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    const otherTab = await h.connect('student', studentId, 'John Doe');
    otherTab.send({ type: 'call_renegotiate', call_id: callId, description: offer('other-tab') });
    expect(await otherTab.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_renegotiate' });
    expect(await callee.quietFor(150, ['call_renegotiate'])).toEqual([]);
    expect(await caller.quietFor(0, ['call_renegotiate'])).toEqual([]);
  });

  it('refuses a description that is neither an offer nor an answer', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    caller.send({ type: 'call_renegotiate', call_id: callId, description: { type: 'pranswer', sdp: 'v=0' } });
    expect(await caller.next('error')).toMatchObject({ code: 'invalid_message', request_type: 'call_renegotiate' });
    expect(await callee.quietFor(150, ['call_renegotiate'])).toEqual([]);
  });
});
