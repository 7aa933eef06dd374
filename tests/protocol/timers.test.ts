/**
 * PROTOCOL.md "Ringing" timeout and "Socket lost mid-call", with short timers so they run in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';

const RING_SECONDS = 1.5;
const GRACE_SECONDS = 1.5;
let h: Harness;
let nextId = 5000;
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  h = await startHarness({ ringTimeoutSeconds: RING_SECONDS, resumeGraceSeconds: GRACE_SECONDS, sweepIntervalMs: 100 });
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

describe('ringing that nobody answers', () => {
  it('becomes missed/timeout: the caller hears declined timeout, every callee socket ended timeout', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tab1 = await h.connect('tutor', tutorId);
    const tab2 = await h.connect('tutor', tutorId);
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId, expires_at } = await tab1.next('call_invitation');
    await tab2.next('call_invitation');

    const declined = await caller.next('call_declined', undefined, 5_000);
    expect(declined).toMatchObject({ call_id: callId, reason: 'timeout', from_profile_id: tutorId });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expires_at));
    for (const tab of [tab1, tab2]) expect(await tab.next('call_ended')).toMatchObject({ call_id: callId, reason: 'timeout' });
    expect(await h.settledLog(callId, (call) => call.status === 'missed')).toMatchObject({ end_reason: 'timeout' });

    // A late answer is refused, and the callee is free for the next call.
    tab1.send({ type: 'call_answer', call_id: callId, answer: answer() });
    expect(await tab1.next('error')).toMatchObject({ code: 'call_not_ringing' });
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    expect((await caller.next('call_ringing')).devices).toBe(2);
  });

  it('times out even when every callee socket has gone away', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');
    await callee.close();
    expect(await caller.next('call_declined', undefined, 5_000)).toMatchObject({ call_id: callId, reason: 'timeout' });
    await h.settledLog(callId, (call) => call.status === 'missed');
  });

  it('cancels the ringing when the caller socket goes away', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');
    caller.terminate();
    expect(await callee.next('call_ended')).toMatchObject({ call_id: callId, reason: 'cancelled' });
    expect(await h.settledLog(callId, (call) => call.status === 'missed')).toMatchObject({ end_reason: 'cancelled' });
  });
});

describe('a socket lost mid-call', () => {
  it('tells the peer, and a new socket of the same profile resumes the call within the grace period', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);

    callee.terminate();
    const reconnecting = await caller.next('peer_reconnecting');
    expect(reconnecting).toMatchObject({ call_id: callId, grace_seconds: GRACE_SECONDS, from_profile_id: tutorId, from_name: 'Ada Tutor' });

    const fresh: TestSocket = await h.connect('tutor', tutorId, 'Ada Tutor');
    fresh.send({ type: 'call_resume', call_id: callId });
    expect(await fresh.next('call_resumed')).toMatchObject({ call_id: callId });
    expect(await caller.next('call_resumed')).toMatchObject({ call_id: callId, from_profile_id: tutorId });

    // Signaling reaches the new socket, and the call outlives the grace period.
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(9000) });
    expect(await fresh.next('ice_candidate')).toMatchObject({ candidate: candidate(9000) });
    expect(await caller.quietFor(GRACE_SECONDS * 1000 + 600, ['call_ended'])).toEqual([]);
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });

    fresh.send({ type: 'call_ended', call_id: callId });
    expect(await caller.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });

  it('lets a client move a live call to a new socket before the old one closes', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    const replacement = await h.connect('student', studentId, 'John Doe');
    replacement.send({ type: 'call_resume', call_id: callId });
    await replacement.next('call_resumed');
    await caller.close();
    // The old socket closing is not a drop: the peer hears nothing, and the call goes on.
    expect(await callee.quietFor(GRACE_SECONDS * 1000 + 600, ['peer_reconnecting', 'call_ended'])).toEqual([]);
    callee.send({ type: 'call_ended', call_id: callId });
    expect(await replacement.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });

  it('keeps a call whose two sockets both dropped, as long as both come back in time', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    caller.terminate();
    await callee.next('peer_reconnecting');
    callee.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const callerAgain = await h.connect('student', studentId, 'John Doe');
    callerAgain.send({ type: 'call_resume', call_id: callId });
    await callerAgain.next('call_resumed');
    // The callee's drop was announced to the caller's old socket: the returning caller hears it now.
    expect(await callerAgain.next('peer_reconnecting')).toMatchObject({ from_profile_id: tutorId });
    const calleeAgain = await h.connect('tutor', tutorId, 'Ada Tutor');
    calleeAgain.send({ type: 'call_resume', call_id: callId });
    await calleeAgain.next('call_resumed');
    expect(await callerAgain.next('call_resumed', (message) => message.from_profile_id === tutorId)).toBeTruthy();

    expect(await callerAgain.quietFor(GRACE_SECONDS * 1000 + 600, ['call_ended'])).toEqual([]);
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });
    callerAgain.send({ type: 'call_ended', call_id: callId });
    expect(await calleeAgain.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });

  it('ends the call disconnected when nobody resumes in time, and logs its duration', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    caller.terminate();
    await callee.next('peer_reconnecting');
    const ended = await callee.next('call_ended', undefined, 5_000);
    expect(ended).toMatchObject({ call_id: callId, reason: 'disconnected', from_profile_id: studentId });
    const log = await h.settledLog(callId, (call) => call.status === 'ended');
    expect(log).toMatchObject({ end_reason: 'disconnected' });
    expect(log.duration_seconds).toBeGreaterThanOrEqual(1);

    // Too late to resume now: the returning caller hears how its call ended.
    const late = await h.connect('student', studentId);
    late.send({ type: 'call_resume', call_id: callId });
    expect(await late.next('call_ended')).toMatchObject({ call_id: callId, reason: 'disconnected', from_profile_id: tutorId });
  });
});
