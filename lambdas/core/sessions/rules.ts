/**
 * The rules of a whiteboard session call (PROTOCOL.md, "Whiteboard session calls"), as pure
 * functions: the call as the core read it, who acts and when in; the call as it must be written
 * out (its version moved on, its next timer set). They do no I/O: `session-calls.ts` writes each
 * one guarded by the version it read, and announces it once that write won.
 */
import type { SessionCallLog, SessionCallView, SessionEndReason, SessionRole } from '../../../shared/session-protocol';
import type { ProfileKey } from '../../../shared/profile';
import { durationSeconds, restoreId } from '../rules';
import type { SessionCallRecord, SessionMember, SessionSettings } from './model';

export const otherRole = (role: SessionRole): SessionRole => (role === 'tutor' ? 'student' : 'tutor');
export const isPresent = (member: SessionMember): boolean => member.socket !== null;
export const isOpen = (call: Pick<SessionCallRecord, 'status'>): boolean => call.status !== 'ended';

/** The role a profile has in the call; undefined for anyone else. */
export function roleOf(call: Pick<SessionCallRecord, 'tutor' | 'student'>, key: ProfileKey): SessionRole | undefined {
  if (call.tutor.key === key) return 'tutor';
  if (call.student.key === key) return 'student';
  return undefined;
}

const at = (time: string, seconds: number): string => new Date(Date.parse(time) + seconds * 1000).toISOString();
const earliest = (times: readonly string[]): string => times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
const latest = (times: readonly string[]): string => times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));

/** When nobody is present: the rejoin grace runs from the later of the two departures. */
function everyoneGoneUntil(call: SessionCallRecord, settings: SessionSettings): string | undefined {
  if (isPresent(call.tutor) || isPresent(call.student)) return undefined;
  const departures = [call.tutor.absent_since, call.student.absent_since].filter((time): time is string => time !== null);
  return departures.length === 0 ? undefined : at(latest(departures), settings.rejoinGraceSeconds);
}

/** The earliest of the open call's timers: the window's end, the wait for the other member, the rejoin grace. */
export function deadlineOf(call: SessionCallRecord, settings: SessionSettings): string | null {
  if (!isOpen(call)) return null;
  const timers = [call.window_ends_at];
  if (call.connected_at === null) timers.push(call.wait_until);
  const grace = everyoneGoneUntil(call, settings);
  if (grace !== undefined) timers.push(grace);
  return earliest(timers);
}

/** Why an open call must end at `now`, if it must: the window's end first, then the wait, then the grace. */
export function dueEndReason(call: SessionCallRecord, now: Date, settings: SessionSettings): SessionEndReason | undefined {
  if (!isOpen(call)) return undefined;
  const reached = (time: string): boolean => Date.parse(time) <= now.getTime();
  if (reached(call.window_ends_at)) return 'window_closed';
  if (call.connected_at === null && reached(call.wait_until)) return 'wait_limit';
  const grace = everyoneGoneUntil(call, settings);
  if (grace !== undefined && reached(grace)) return 'everyone_left';
  return undefined;
}

/** The written form of a change: the next version, the status from who is present, the next timer. */
function written(call: SessionCallRecord, settings: SessionSettings): SessionCallRecord {
  const both = isPresent(call.tutor) && isPresent(call.student);
  const status = call.status === 'ended' ? 'ended' : both ? 'active' : 'waiting';
  const next: SessionCallRecord = { ...call, status, version: call.version + 1 };
  return { ...next, deadline_at: deadlineOf(next, settings) };
}

export interface JoiningMember {
  role: SessionRole;
  socket: string;
  name: string | null;
  avatar: string | null;
}

export interface NewSessionCall {
  callId: string;
  sessionId: string;
  callType: SessionCallRecord['call_type'];
  tutor: Omit<SessionMember, 'socket' | 'absent_since' | 'ever_joined' | 'name' | 'avatar'>;
  student: Omit<SessionMember, 'socket' | 'absent_since' | 'ever_joined' | 'name' | 'avatar'>;
  windowEndsAt: Date;
  joiner: JoiningMember;
}

/** The session's call, started by the first member to join: it waits for the other. */
export function openCall(input: NewSessionCall, now: Date, settings: SessionSettings): SessionCallRecord {
  const startedAt = now.toISOString();
  const windowEndsAt = input.windowEndsAt.toISOString();
  const member = (fields: NewSessionCall['tutor']): SessionMember => ({
    ...fields,
    name: null,
    avatar: null,
    socket: null,
    absent_since: null,
    ever_joined: false,
  });
  const empty: SessionCallRecord = {
    call_id: input.callId,
    session_id: input.sessionId,
    call_type: input.callType,
    status: 'waiting',
    started_by: input.joiner.role,
    started_at: startedAt,
    connected_at: null,
    ended_at: null,
    end_reason: null,
    duration_seconds: null,
    tutor: member(input.tutor),
    student: member(input.student),
    offerer: null,
    generation: 0,
    window_ends_at: windowEndsAt,
    wait_until: earliest([windowEndsAt, at(startedAt, settings.waitLimitSeconds)]),
    events: [],
    version: 0,
    deadline_at: null,
  };
  return join(empty, input.joiner, now, settings);
}

/**
 * A member joins (or rejoins, on this or another socket): present on `socket`, a new generation.
 * With the other member present the joiner makes the offer and the call is connected.
 */
export function join(call: SessionCallRecord, joiner: JoiningMember, now: Date, settings: SessionSettings): SessionCallRecord {
  const time = now.toISOString();
  const before = call[joiner.role];
  const other = call[otherRole(joiner.role)];
  const otherPresent = isPresent(other);
  return written(
    {
      ...call,
      [joiner.role]: { ...before, socket: joiner.socket, absent_since: null, ever_joined: true, name: joiner.name, avatar: joiner.avatar },
      generation: call.generation + 1,
      offerer: otherPresent ? joiner.role : null,
      connected_at: call.connected_at ?? (otherPresent ? time : null),
      events: [...call.events, { at: time, member: joiner.role, event: before.ever_joined ? 'rejoined' : 'joined' }],
    },
    settings,
  );
}

/** The member's joined socket is gone: it is absent and may rejoin; undefined when that socket is not the one in the call. */
export function drop(
  call: SessionCallRecord,
  role: SessionRole,
  socket: string,
  now: Date,
  settings: SessionSettings,
): SessionCallRecord | undefined {
  if (!isOpen(call) || call[role].socket !== socket) return undefined;
  return absent(call, role, 'dropped', now, settings);
}

/**
 * The member leaves: absent, the call stays open for the other. When the other is not there either
 * nobody is left to wait for, so the call ends (`everyone_left`); undefined when it was not present.
 */
export function leave(call: SessionCallRecord, role: SessionRole, now: Date, settings: SessionSettings): SessionCallRecord | undefined {
  if (!isOpen(call) || !isPresent(call[role])) return undefined;
  if (!isPresent(call[otherRole(role)])) return end(call, 'everyone_left', now, settings, role);
  return absent(call, role, 'left', now, settings);
}

function absent(
  call: SessionCallRecord,
  role: SessionRole,
  event: 'dropped' | 'left',
  now: Date,
  settings: SessionSettings,
): SessionCallRecord {
  const time = now.toISOString();
  return written(
    {
      ...call,
      [role]: { ...call[role], socket: null, absent_since: time },
      offerer: null,
      events: [...call.events, { at: time, member: role, event }],
    },
    settings,
  );
}

/** The call ends for both; its duration runs from when both were first present. */
export function end(
  call: SessionCallRecord,
  reason: SessionEndReason,
  now: Date,
  settings: SessionSettings,
  leaving?: SessionRole,
): SessionCallRecord {
  const time = now.toISOString();
  const gone = (member: SessionMember): SessionMember => (isPresent(member) ? { ...member, socket: null, absent_since: time } : member);
  return written(
    {
      ...call,
      status: 'ended',
      ended_at: time,
      end_reason: reason,
      duration_seconds: call.connected_at === null ? null : durationSeconds(call.connected_at, time),
      tutor: gone(call.tutor),
      student: gone(call.student),
      offerer: null,
      events: leaving ? [...call.events, { at: time, member: leaving, event: 'left' }] : call.events,
    },
    settings,
  );
}

/** The sweeper found the call's timer due: it ends, or (a timer that moved meanwhile) only its deadline is set again. */
export function timerDue(call: SessionCallRecord, now: Date, settings: SessionSettings): SessionCallRecord | undefined {
  if (!isOpen(call)) return undefined;
  const reason = dueEndReason(call, now, settings);
  if (reason) return end(call, reason, now, settings);
  const deadline = deadlineOf(call, settings);
  return deadline === call.deadline_at ? undefined : { ...call, version: call.version + 1, deadline_at: deadline };
}

// --- what the protocol shows ----------------------------------------------------------------

const memberView = (member: SessionMember) => ({
  profile_type: member.profile_type,
  profile_id: restoreId(member.profile_id, member.id_kind),
  present: isPresent(member),
});

export function viewOf(call: SessionCallRecord): SessionCallView {
  return {
    call_id: call.call_id,
    session_id: call.session_id,
    call_type: call.call_type,
    status: call.status,
    started_by: call.started_by,
    members: { tutor: memberView(call.tutor), student: memberView(call.student) },
    offerer: call.offerer,
    generation: Math.max(1, call.generation),
    ...(call.end_reason !== null ? { end_reason: call.end_reason } : {}),
    window_ends_at: call.window_ends_at,
  };
}

export function logOf(call: SessionCallRecord): SessionCallLog {
  const ref = (member: SessionMember) => ({ profile_type: member.profile_type, profile_id: member.profile_id });
  return {
    call_id: call.call_id,
    session_id: call.session_id,
    call_type: call.call_type,
    status: call.status,
    started_by: call.started_by,
    tutor: ref(call.tutor),
    student: ref(call.student),
    started_at: call.started_at,
    connected_at: call.connected_at,
    ended_at: call.ended_at,
    end_reason: call.end_reason,
    duration_seconds: call.duration_seconds,
    events: call.events,
    ...(call.tutor_quality || call.student_quality
      ? {
          quality: {
            ...(call.tutor_quality ? { tutor: call.tutor_quality } : {}),
            ...(call.student_quality ? { student: call.student_quality } : {}),
          },
        }
      : {}),
  };
}
