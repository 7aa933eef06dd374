/**
 * PROTOCOL.md "Limits": one caller rings one callee at most 3 times in 10 minutes without an
 * answer; the next invitation gets `error` `rate_limited` and rings nothing. Rang, offline and
 * declined count alike; an answered call gives its ring back. Counted in the store per caller and
 * callee, so it holds whichever container takes each invitation. With the default window the
 * whole file runs well inside it, however slow the machine.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PAIR_RING_LIMIT } from '../../shared/limits';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { captureRoutingLines, type RoutingLog } from '../support/routing-lines';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let log: RoutingLog;
let nextId = 9300;

beforeAll(async () => {
  // The routing lines say when an answer's handler is done (it gives the ring back before it logs).
  log = captureRoutingLines();
  h = await startHarness({ quiet: false });
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
  log.restore();
});

const invitation = (tutorId: number) => ({
  type: 'call_invitation',
  call_type: 'voice',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  offer: offer(),
});

/** The caller rings the tutor, whose first socket declines. */
async function ringDeclined(caller: TestSocket, callees: readonly TestSocket[], tutorId: number): Promise<void> {
  caller.send(invitation(tutorId));
  const rung = await Promise.all(callees.map((callee) => callee.next('call_invitation')));
  callees[0]!.send({ type: 'call_declined', call_id: rung[0]!.call_id });
  expect(await caller.next('call_declined')).toMatchObject({ call_id: rung[0]!.call_id, reason: 'rejected' });
}

/** The caller's next invitation to the tutor is refused, and none of the tutor's sockets rings. */
async function expectRefused(caller: TestSocket, callees: readonly TestSocket[], tutorId: number): Promise<void> {
  caller.send(invitation(tutorId));
  expect(await caller.next('error')).toMatchObject({ code: 'rate_limited', request_type: 'call_invitation' });
  for (const callee of callees) expect(await callee.quietFor(300, ['call_invitation'])).toEqual([]);
}

describe('repeated unanswered rings from one caller to one callee', () => {
  it('are rate_limited from the 4th within 10 minutes, and the 4th rings nothing', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await h.connect('student', studentId, 'Sam Caller');
    // Offline counts like any other ring: the refusal must not tell a caller whether the callee is there.
    caller.send(invitation(tutorId));
    expect(await caller.next('call_declined')).toMatchObject({ reason: 'offline' });
    const callees = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    for (let ring = 1; ring < DEFAULT_PAIR_RING_LIMIT; ring++) await ringDeclined(caller, callees, tutorId);

    await expectRefused(caller, callees, tutorId);
    await vi.waitFor(
      () =>
        expect(log.lines()).toContainEqual(
          expect.objectContaining({
            route: 'call_invitation',
            outcome: 'refused',
            reason: 'rate_limited',
            from: `student_${studentId}`,
          }),
        ),
      { timeout: 5_000 },
    );
  });

  it('are counted per caller and callee: the same caller rings someone else, and someone else rings the same callee', async () => {
    const [studentId, tutorId, otherTutorId, otherStudentId] = [nextId++, nextId++, nextId++, nextId++];
    const caller = await h.connect('student', studentId);
    const callees = [await h.connect('tutor', tutorId)];
    for (let ring = 0; ring < DEFAULT_PAIR_RING_LIMIT; ring++) await ringDeclined(caller, callees, tutorId);
    await expectRefused(caller, callees, tutorId);

    const otherTutor = await h.connect('tutor', otherTutorId);
    await ringDeclined(caller, [otherTutor], otherTutorId);
    const otherCaller = await h.connect('student', otherStudentId);
    await ringDeclined(otherCaller, callees, tutorId);
  });

  it('do not count an answered call', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await h.connect('student', studentId);
    const callees = [await h.connect('tutor', tutorId)];
    await ringDeclined(caller, callees, tutorId);
    await ringDeclined(caller, callees, tutorId);

    caller.send(invitation(tutorId));
    const { call_id: callId } = await callees[0]!.next('call_invitation');
    callees[0]!.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');
    await vi.waitFor(
      () => expect(log.lines()).toContainEqual(expect.objectContaining({ route: 'call_answer', call_id: callId, outcome: 'answered' })),
      { timeout: 5_000 },
    );
    caller.send({ type: 'call_ended', call_id: callId });
    await callees[0]!.next('call_ended');

    // Two unanswered so far: one more rings, then the limit of 3 is reached.
    await ringDeclined(caller, callees, tutorId);
    await expectRefused(caller, callees, tutorId);
  });
});
