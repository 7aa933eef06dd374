/**
 * Answered calls end by themselves when nobody is in them any more: the sweeper asks the management
 * API whether each party's socket is still there, and a party gone without a `$disconnect` (lost, or
 * never sent after a crash) starts the resume grace as a `$disconnect` would. Short timers here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { bindToDeadSockets } from './dead-sockets';

const LIVENESS_SECONDS = 1;
const GRACE_SECONDS = 1;
let h: Harness;
let nextId = 8000;
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  // Read by the handlers (in this process, or passed on to the containers as deployed).
  process.env[ENV.livenessCheckSeconds] = String(LIVENESS_SECONDS);
  h = await startHarness({ resumeGraceSeconds: GRACE_SECONDS, sweepIntervalMs: 100 });
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
  delete process.env[ENV.livenessCheckSeconds];
});

/** Generous: a liveness deadline, a sweep, the grace and another sweep, on a busy machine. */
const ENDS_WITHIN_MS = (LIVENESS_SECONDS + GRACE_SECONDS) * 1000 + 5_000;

describe('an answered call nobody is in any more', () => {
  it('ends disconnected by itself when both sockets died without $disconnect, and both profiles can call again', async () => {
    const [studentId, tutorId] = ids();
    // The sockets here stand for the ones the parties came back on without `call_resume`.
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    await bindToDeadSockets(h.db, callId, { caller: true, callee: true });

    const log = await h.settledLog(callId, (call) => call.status === 'ended', ENDS_WITHIN_MS);
    expect(log).toMatchObject({ end_reason: 'disconnected' });
    // Nobody was in the call to tell.
    expect(caller.received.map((message) => message.type)).not.toContain('call_ended');

    callee.send({ type: 'call_invitation', call_type: 'video', to_profile_id: studentId, to_profile_type: 'student', offer: offer() });
    const { call_id: nextCall } = await caller.next('call_invitation');
    caller.send({ type: 'call_answer', call_id: nextCall, answer: answer() });
    expect(await callee.next('call_answer')).toMatchObject({ call_id: nextCall });
    caller.send({ type: 'call_ended', call_id: nextCall });
    await callee.next('call_ended');
  });

  it('tells the party still there that its peer is reconnecting, then ends the call disconnected', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callId } = await h.answeredCall(studentId, tutorId);
    await bindToDeadSockets(h.db, callId, { callee: true });

    expect(await caller.next('peer_reconnecting', undefined, ENDS_WITHIN_MS)).toMatchObject({ call_id: callId, from_profile_id: tutorId });
    expect(await caller.next('call_ended', undefined, ENDS_WITHIN_MS)).toMatchObject({ call_id: callId, reason: 'disconnected' });
    expect(await h.settledLog(callId, (call) => call.status === 'ended')).toMatchObject({ end_reason: 'disconnected' });
  });
});

describe('a healthy answered call', () => {
  it('is never ended by the liveness checks, however many it gets', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    // Several liveness intervals, each long enough for a check and a grace.
    const window = (LIVENESS_SECONDS + GRACE_SECONDS) * 1000 * 2;
    const [heardByCaller, heardByCallee] = await Promise.all([
      caller.quietFor(window, ['peer_reconnecting', 'call_ended']),
      callee.quietFor(window, ['peer_reconnecting', 'call_ended']),
    ]);
    expect(heardByCaller).toEqual([]);
    expect(heardByCallee).toEqual([]);
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });
    expect(await callInvariantViolations(h.db)).toEqual([]);

    caller.send({ type: 'call_ended', call_id: callId });
    expect(await callee.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });
});
