/**
 * On AWS each route runs in its own containers, each with its own memory. Call services over one
 * real store stand for those containers: whatever one did to a call, the others route by it at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../../lambdas/core/admission';
import { RateLimiter } from '../../lambdas/core/rate-limiter';
import { RefusalNotices } from '../../lambdas/core/refusal-notices';
import { DEFAULT_RATE_LIMITS, RATE_LIMITED_REPLY_INTERVAL_MS } from '../../shared/limits';
import { profileKey } from '../../shared/profile';
import { candidateMessage, startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

let nextId = 100;
const ids = () => [nextId++, nextId++] as const;

describe('candidates in one container, the call changed in another', () => {
  it('delivers candidates to the socket a call moved to after its old socket closed', async () => {
    const [studentId, tutorId] = ids();
    const caller = await world.connect(`caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const [candidates, resumes] = [world.container(), world.container()];

    await candidates.candidates(caller, candidateMessage(callId));
    expect(world.sockets.typesAt(callee.connectionId)).toEqual(['call_invitation', 'ice_candidate']);

    // The callee's socket is replaced and the call re-bound, in another container.
    world.sockets.open.delete(callee.connectionId);
    const moved = await world.connect(`callee-${tutorId}-b`, 'tutor', tutorId);
    await resumes.resume(moved, { type: 'call_resume', call_id: callId });

    const [forwarded] = await candidates.candidates(caller, candidateMessage(callId));
    expect(forwarded).toMatchObject({ outcome: 'forwarded', sockets_reached: 1, gone_sockets: 0 });
    expect(world.sockets.typesAt(moved.connectionId)).toEqual(['call_resumed', 'ice_candidate']);
    // Nobody was told the callee is reconnecting: it never was.
    expect(world.sockets.typesAt(caller.connectionId)).not.toContain('peer_reconnecting');
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered', callee_connection_ids: [moved.connectionId] });
  });

  it('drops candidates of a call that another container ended ("ended elsewhere")', async () => {
    const [studentId, tutorId] = ids();
    const caller = await world.connect(`caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const [candidates, ends] = [world.container(), world.container()];

    await candidates.candidates(caller, candidateMessage(callId, 1));
    expect(world.sockets.typesAt(callee.connectionId)).toEqual(['call_invitation', 'ice_candidate']);

    await ends.end(callee, { type: 'call_ended', call_id: callId });
    expect(world.sockets.typesAt(caller.connectionId)).toContain('call_ended');

    // Both sockets are still open: only the store says the call is over.
    const [late] = await candidates.candidates(caller, candidateMessage(callId, 2));
    expect(late).toMatchObject({ outcome: 'dropped', reason: 'ended', sockets_reached: 0 });
    expect(world.sockets.typesAt(callee.connectionId)).toEqual(['call_invitation', 'ice_candidate']);
  });

  it('sends candidates only to the new socket of a call moved while the old socket is still open', async () => {
    const [studentId, tutorId] = ids();
    const caller = await world.connect(`caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const [candidates, resumes] = [world.container(), world.container()];

    await candidates.candidates(caller, candidateMessage(callId, 1));
    // The callee moves the call before its old socket's 2-hour cap; the old socket stays open meanwhile.
    const replacement = await world.connect(`callee-${tutorId}-b`, 'tutor', tutorId);
    await resumes.resume(replacement, { type: 'call_resume', call_id: callId });

    await candidates.candidates(caller, candidateMessage(callId, 2));
    expect(world.sockets.typesAt(replacement.connectionId)).toEqual(['call_resumed', 'ice_candidate']);
    // The old socket hears that the call moved (`resumed_elsewhere`, which its own client ignores there), and no candidate after it.
    expect(world.sockets.typesAt(callee.connectionId)).toEqual(['call_invitation', 'ice_candidate', 'call_ended']);
  });
});

/** A container's admission: memory of its own, the shared store. */
const admissionContainer = () =>
  new Admission(
    new RateLimiter(DEFAULT_RATE_LIMITS, world.clock),
    DEFAULT_RATE_LIMITS,
    new RefusalNotices(RATE_LIMITED_REPLY_INTERVAL_MS),
    world.clock,
    world.db,
  );
/** A socket of a profile of its own. */
const socketOf = (connectionId: string) => ({ connectionId, key: profileKey('student', connectionId) });

describe('the offer limit across containers', () => {
  it('admits exactly 5 of 8 offers from one socket that land in 8 containers at once', async () => {
    const containers = Array.from({ length: 8 }, admissionContainer);
    const flooder = socketOf('offer-flooder');
    const admitted = await Promise.all(containers.map((container) => container.admit(flooder, 'call_invitation')));
    expect(admitted.filter((verdict) => verdict === 'admitted')).toHaveLength(5);

    // One more each 200 ms (5 a second), in whichever container.
    world.clock.advance(200);
    const next = await Promise.all(containers.map((container) => container.admit(flooder, 'call_invitation')));
    expect(next.filter((verdict) => verdict === 'admitted')).toHaveLength(1);

    // Another socket, and the other classes, are untouched.
    expect(await containers[0]!.admit(socketOf('someone-else'), 'call_invitation')).toBe('admitted');
    expect(await containers[0]!.admit(flooder, 'ice_candidate')).toBe('admitted');
  });

  it('lets a socket that offers now and then through every time, whatever container', async () => {
    const containers = Array.from({ length: 3 }, admissionContainer);
    const calm = socketOf('calm-caller');
    for (let offer = 0; offer < 12; offer++) {
      expect(await containers[offer % 3]!.admit(calm, 'call_invitation'), `offer ${offer}`).toBe('admitted');
      // Slower than the profile's 0.5 a second, which outlasts its burst of 10.
      world.clock.advance(2_000);
    }
  });
});
