/**
 * The sweeper over the real store: it drains however many timers are due, page after page, and
 * ends answered calls that nobody is in any more (their `$disconnect` lost, or never sent).
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallChanges, CallGuard, CallRecord, CallStore } from '../../lambdas/core/model';
import { profileKey, type ProfileKey } from '../../shared/profile';
import { SETTINGS, startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

const newCallId = monotonicFactory();
let nextId = 10_000;

/** A call that rang and was never answered, past its expiry, holding both lines (as a lost sweep leaves it). */
async function plantExpiredRinging(now: Date): Promise<CallRecord> {
  const callerId = nextId++;
  const calleeId = nextId++;
  const callerKey = profileKey('student', callerId);
  const calleeKey = profileKey('tutor', calleeId);
  const started = new Date(now.getTime() - 60_000).toISOString();
  const expires = new Date(now.getTime() - 15_000).toISOString();
  const call: CallRecord = {
    call_id: newCallId(),
    conversation_id: null,
    caller_profile_id: String(callerId),
    caller_profile_type: 'student',
    caller_user_id: null,
    callee_profile_id: String(calleeId),
    callee_profile_type: 'tutor',
    call_type: 'voice',
    status: 'initiated',
    end_reason: null,
    started_at: started,
    answered_at: null,
    ended_at: null,
    duration_seconds: null,
    participants: [
      { profile_id: String(callerId), profile_type: 'student', name: 'Caller' },
      { profile_id: String(calleeId), profile_type: 'tutor', name: null },
    ],
    created_at: started,
    caller_key: callerKey,
    callee_key: calleeKey,
    caller_id_kind: 'number',
    callee_id_kind: 'number',
    caller_name: 'Caller',
    caller_avatar: null,
    callee_name: null,
    callee_avatar: null,
    caller_connection_id: `gone-caller-${callerId}`,
    callee_connection_ids: [`gone-callee-${calleeId}`],
    expires_at: expires,
    deadline_at: expires,
  };
  await world.db.createCall(call);
  for (const key of [callerKey, calleeKey]) {
    await world.db.claimLine({ profileKey: key, callId: call.call_id, callerKey, calleeKey, claimedAt: started });
  }
  return call;
}

const lineHolder = async (key: ProfileKey) => (await world.db.getLine(key))?.callId;

describe('a backlog of due calls', () => {
  it('is ended whole by one sweep, more calls than one page of the index', async () => {
    const now = world.clock.now();
    const planted = await Promise.all(Array.from({ length: 250 }, () => plantExpiredRinging(now)));

    const { decisions, failures } = await world.container().sweep();
    expect(failures).toEqual([]);
    expect(decisions.filter((decision) => decision.outcome === 'missed')).toHaveLength(250);
    for (const call of planted) {
      expect(await world.db.getCall(call.call_id), call.call_id).toMatchObject({ status: 'missed', end_reason: 'timeout' });
      expect(await lineHolder(call.caller_key)).toBeUndefined();
      expect(await lineHolder(call.callee_key)).toBeUndefined();
    }
    expect((await world.db.dueTimers(world.clock.now().toISOString(), 100)).timers).toEqual([]);
  }, 60_000);

  it('stops between pages when the invocation runs short of time, and the next sweep goes on', async () => {
    const now = world.clock.now();
    await Promise.all(Array.from({ length: 150 }, () => plantExpiredRinging(now)));

    const first = await world.container().sweep(() => false);
    expect(first.decisions).toHaveLength(100);
    const second = await world.container().sweep(() => false);
    expect(second.decisions).toHaveLength(50);
  }, 60_000);
});

/** The store, counting the call updates made through it (a liveness check that finds both parties should make none). */
function countingCallWrites(store: CallStore): { store: CallStore; writes: () => number } {
  let writes = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'updateCall') return Reflect.get(target, property, receiver) as unknown;
      return (callId: string, guard: CallGuard, changes: CallChanges, returning?: 'after' | 'before') => {
        writes++;
        return target.updateCall(callId, guard, changes, returning);
      };
    },
  });
  return { store: counted, writes: () => writes };
}

describe('answered calls nobody is in any more', () => {
  it('end disconnected by themselves when both sockets died without $disconnect, and free both profiles', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await world.connect(`live-caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`live-callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const sweeper = world.container();

    // A gateway crash: both sockets gone, no $disconnect for either.
    world.sockets.open.delete(caller.connectionId);
    world.sockets.open.delete(callee.connectionId);
    await sweeper.sweep();
    expect(await world.db.getCall(callId), 'not due before its liveness deadline').toMatchObject({ status: 'answered' });

    world.clock.advance(SETTINGS.livenessCheckSeconds * 1000);
    await sweeper.sweep();
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered', disconnected_party: 'both' });

    world.clock.advance(SETTINGS.resumeGraceSeconds * 1000);
    const { decisions } = await sweeper.sweep();
    expect(decisions).toContainEqual(
      expect.objectContaining({ call_id: callId, outcome: 'ended', reason: 'disconnected', sockets_reached: 0 }),
    );
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'ended', end_reason: 'disconnected' });

    // Back on new sockets, without resuming: the two can call each other again.
    const callerAgain = await world.connect(`live-caller-${studentId}-b`, 'student', studentId);
    const calleeAgain = await world.connect(`live-callee-${tutorId}-b`, 'tutor', tutorId);
    const next = await world.answeredCall(calleeAgain, callerAgain);
    expect(await world.db.getCall(next)).toMatchObject({ status: 'answered' });
  });

  it('tell the party still there, and end once the gone one does not resume in time', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await world.connect(`half-caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`half-callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const sweeper = world.container();

    world.sockets.open.delete(callee.connectionId);
    world.clock.advance(SETTINGS.livenessCheckSeconds * 1000);
    await sweeper.sweep();
    expect(world.sockets.typesAt(caller.connectionId)).toContain('peer_reconnecting');
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered', disconnected_party: 'callee' });

    world.clock.advance(SETTINGS.resumeGraceSeconds * 1000);
    await sweeper.sweep();
    expect(world.sockets.received.get(caller.connectionId)?.at(-1)).toMatchObject({
      type: 'call_ended',
      reason: 'disconnected',
      call_id: callId,
    });
  });

  it('leave a healthy call alone for its whole length, asking at most once per interval and writing nothing', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await world.connect(`healthy-caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`healthy-callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const counted = countingCallWrites(world.db);
    const sweeper = world.container({}, counted.store);

    // Five minutes, swept every 10 s.
    for (let second = 0; second < 300; second += 10) {
      world.clock.advance(10_000);
      await sweeper.sweep();
    }
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered' });
    expect(world.sockets.typesAt(caller.connectionId)).not.toContain('peer_reconnecting');
    expect(world.sockets.typesAt(callee.connectionId)).not.toContain('peer_reconnecting');
    expect(counted.writes()).toBe(0);
    // Due 30 s after the answer, then asked about once every 30 s: at 30, 60, ... 300 s.
    expect(world.sockets.checks.get(caller.connectionId)).toBe(10);
    expect(world.sockets.checks.get(callee.connectionId)).toBe(10);
  });

  it('check a call again after its resume, on the sockets it moved to', async () => {
    const [studentId, tutorId] = [nextId++, nextId++];
    const caller = await world.connect(`moving-caller-${studentId}`, 'student', studentId);
    const callee = await world.connect(`moving-callee-${tutorId}`, 'tutor', tutorId);
    const callId = await world.answeredCall(caller, callee);
    const sweeper = world.container();

    world.sockets.open.delete(callee.connectionId);
    world.clock.advance(SETTINGS.livenessCheckSeconds * 1000);
    await sweeper.sweep();
    const back = await world.connect(`moving-callee-${tutorId}-b`, 'tutor', tutorId);
    await world.container().resume(back, { type: 'call_resume', call_id: callId });
    expect(await world.db.getCall(callId)).not.toHaveProperty('disconnected_party');

    // Whole again: a liveness check is due once more, and finds both there.
    world.clock.advance(SETTINGS.livenessCheckSeconds * 1000);
    await sweeper.sweep();
    world.clock.advance(SETTINGS.resumeGraceSeconds * 1000);
    await sweeper.sweep();
    expect(await world.db.getCall(callId)).toMatchObject({ status: 'answered', callee_connection_ids: [back.connectionId] });

    // And when the new socket dies silently too, the check finds that.
    world.sockets.open.delete(back.connectionId);
    world.clock.advance(SETTINGS.livenessCheckSeconds * 1000);
    await sweeper.sweep();
    expect(await world.db.getCall(callId)).toMatchObject({ disconnected_party: 'callee' });
  });
});
