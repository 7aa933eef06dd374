/** The whiteboard session call's rules (`lambdas/core/sessions/rules.ts`), as pure functions of the call and the time. */
import { describe, expect, it } from 'vitest';
import type { ProfileKey } from '../../shared/profile';
import type { SessionCallRecord, SessionSettings } from '../../lambdas/core/sessions/model';
import { deadlineOf, drop, dueEndReason, end, join, leave, openCall, timerDue, viewOf } from '../../lambdas/core/sessions/rules';

const SETTINGS: SessionSettings = { waitLimitSeconds: 300, rejoinGraceSeconds: 60 };
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const WINDOW_END = at(3600);

const member = (type: string, id: string) => ({
  key: `${type}_${id}` as ProfileKey,
  profile_type: type,
  profile_id: id,
  id_kind: 'number' as const,
});

function opened(role: 'tutor' | 'student' = 'tutor'): SessionCallRecord {
  return openCall(
    {
      callId: '01JXAAAAAAAAAAAAAAAAAAAAAA',
      sessionId: 's-1',
      callType: 'video',
      tutor: member('tutor', '1'),
      student: member('student', '2'),
      windowEndsAt: WINDOW_END,
      joiner: { role, socket: `${role}-socket`, name: role, avatar: null },
    },
    T0,
    SETTINGS,
  );
}

const studentJoins = (call: SessionCallRecord, seconds: number, socket = 'student-socket') =>
  join(call, { role: 'student', socket, name: 'Sam', avatar: null }, at(seconds), SETTINGS);

describe('a session call', () => {
  it('waits for the other member after the first joins, due at the wait limit', () => {
    const call = opened();
    expect(viewOf(call)).toMatchObject({ status: 'waiting', started_by: 'tutor', offerer: null, generation: 1 });
    expect(call.deadline_at).toBe(at(300).toISOString());
  });

  it('never waits past the window: a wait limit beyond it is the window end', () => {
    const short = openCall(
      {
        ...{ callId: '01JXAAAAAAAAAAAAAAAAAAAAAB', sessionId: 's', callType: 'voice' },
        tutor: member('tutor', '1'),
        student: member('student', '2'),
        windowEndsAt: at(100),
        joiner: { role: 'tutor', socket: 'a', name: null, avatar: null },
      },
      T0,
      SETTINGS,
    );
    expect(short.wait_until).toBe(at(100).toISOString());
    expect(dueEndReason(short, at(100), SETTINGS)).toBe('window_closed');
  });

  it('connects when the second member joins, who then makes the offer', () => {
    const active = studentJoins(opened(), 30);
    expect(viewOf(active)).toMatchObject({ status: 'active', offerer: 'student', generation: 2 });
    expect(active.connected_at).toBe(at(30).toISOString());
    expect(active.version).toBe(opened().version + 1);
    // Connected: only the window's end is pending.
    expect(active.deadline_at).toBe(WINDOW_END.toISOString());
  });

  it('keeps the call for a member who dropped, and takes it back on a rejoin as a new generation', () => {
    const active = studentJoins(opened(), 30);
    const dropped = drop(active, 'student', 'student-socket', at(40), SETTINGS);
    expect(dropped && viewOf(dropped)).toMatchObject({ status: 'waiting', offerer: null });
    const back = dropped && studentJoins(dropped, 50, 'new-socket');
    expect(back && viewOf(back)).toMatchObject({ call_id: active.call_id, status: 'active', offerer: 'student', generation: 3 });
    expect(back?.events.map((event) => event.event)).toEqual(['joined', 'joined', 'dropped', 'rejoined']);
    // The first connection stays the one the duration counts from.
    expect(back?.connected_at).toBe(at(30).toISOString());
  });

  it('ignores the drop of a socket that is no longer the one in the call (a tab that was taken over)', () => {
    const active = studentJoins(studentJoins(opened(), 30), 35, 'second-tab');
    expect(drop(active, 'student', 'student-socket', at(40), SETTINGS)).toBeUndefined();
  });

  it('ends everyone_left once both are gone past the rejoin grace, counted from the later departure', () => {
    const active = studentJoins(opened(), 30);
    const one = drop(active, 'tutor', 'tutor-socket', at(100), SETTINGS);
    const both = one && drop(one, 'student', 'student-socket', at(110), SETTINGS);
    expect(both?.deadline_at).toBe(at(170).toISOString());
    expect(both && dueEndReason(both, at(169), SETTINGS)).toBeUndefined();
    const ended = both && timerDue(both, at(170), SETTINGS);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'everyone_left', duration_seconds: 140, deadline_at: null });
  });

  it('ends wait_limit when the other member never came, with no duration', () => {
    const ended = timerDue(opened(), at(300), SETTINGS);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'wait_limit', connected_at: null, duration_seconds: null });
  });

  it('ends window_closed at the window end even with both present', () => {
    const ended = timerDue(studentJoins(opened(), 30), WINDOW_END, SETTINGS);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'window_closed', duration_seconds: 3570 });
    expect(ended && viewOf(ended).members.tutor.present).toBe(false);
  });

  it('stays open for the other when one member leaves; ends when the last one present leaves', () => {
    const active = studentJoins(opened(), 30);
    const left = leave(active, 'student', at(60), SETTINGS);
    expect(left?.status).toBe('waiting');
    const ended = left && leave(left, 'tutor', at(70), SETTINGS);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'everyone_left', duration_seconds: 40 });
  });

  it('ends for both with ended_by_member, and then has no timer and no further changes', () => {
    const ended = end(studentJoins(opened(), 30), 'ended_by_member', at(90), SETTINGS);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'ended_by_member', duration_seconds: 60 });
    expect(deadlineOf(ended, SETTINGS)).toBeNull();
    expect(timerDue(ended, at(4000), SETTINGS)).toBeUndefined();
    expect(leave(ended, 'tutor', at(91), SETTINGS)).toBeUndefined();
  });

  it('a timer found due early only sets the deadline again', () => {
    const call = { ...opened(), deadline_at: at(10).toISOString() };
    const next = timerDue(call, at(10), SETTINGS);
    expect(next).toMatchObject({ status: 'waiting', deadline_at: at(300).toISOString(), version: call.version + 1 });
  });
});
