/** Calls and senders for the unit tests of the call rules: plain values, no store. */
import type { CallRecord, CallSettings, Sender } from '../../lambdas/core/model';
import type { Settled, Step, Transition } from '../../lambdas/core/transitions/transition';
import { profileKey } from '../../shared/profile';

export const NOW = new Date('2026-01-01T12:00:00.000Z');
export const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();

export const SETTINGS: CallSettings = {
  ringTimeoutSeconds: 45,
  resumeGraceSeconds: 60,
  livenessCheckSeconds: 30,
  profileTypes: ['student', 'tutor'],
};

export const CALL_ID = '01JD0000000000000000000001';

/** The caller, student 456 (a numeric id), on socket `caller-socket`. */
export const caller: Sender = {
  connectionId: 'caller-socket',
  identity: { profileId: 456, profileType: 'student', name: 'John Doe', avatar: 'https://example.test/john.png', userId: 'u-456' },
  key: profileKey('student', 456),
};

/** The callee, tutor "ada" (a string id), on socket `callee-a` (it also rang on `callee-b`). */
export const callee: Sender = {
  connectionId: 'callee-a',
  identity: { profileId: 'ada', profileType: 'tutor', name: 'Ada Tutor', avatar: null, userId: null },
  key: profileKey('tutor', 'ada'),
};

export const stranger: Sender = {
  connectionId: 'stranger-socket',
  identity: { profileId: 1, profileType: 'parent', name: 'Someone Else', avatar: null, userId: null },
  key: profileKey('parent', 1),
};

/** A call ringing on both callee sockets, started 10 s ago, expiring in 35 s. */
export function ringingCall(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    call_id: CALL_ID,
    conversation_id: 'conv-1',
    caller_profile_id: '456',
    caller_profile_type: 'student',
    caller_user_id: 'u-456',
    callee_profile_id: 'ada',
    callee_profile_type: 'tutor',
    call_type: 'video',
    status: 'initiated',
    end_reason: null,
    started_at: at(-10_000),
    answered_at: null,
    ended_at: null,
    duration_seconds: null,
    participants: [
      { profile_id: '456', profile_type: 'student', name: 'John Doe' },
      { profile_id: 'ada', profile_type: 'tutor', name: null },
    ],
    created_at: at(-10_000),
    caller_key: caller.key,
    callee_key: callee.key,
    caller_id_kind: 'number',
    callee_id_kind: 'string',
    caller_name: 'John Doe',
    caller_avatar: 'https://example.test/john.png',
    callee_name: null,
    callee_avatar: null,
    caller_connection_id: caller.connectionId,
    callee_connection_ids: ['callee-a', 'callee-b'],
    expires_at: at(35_000),
    deadline_shard: 'pending',
    deadline_at: at(35_000),
    ...overrides,
  };
}

/** The same call, answered on `callee-a` 90.5 s ago, with its liveness check due in 5 s. */
export function answeredCall(overrides: Partial<CallRecord> = {}): CallRecord {
  return ringingCall({
    status: 'answered',
    started_at: at(-100_000),
    created_at: at(-100_000),
    answered_at: at(-90_500),
    callee_name: 'Ada Tutor',
    participants: [
      { profile_id: '456', profile_type: 'student', name: 'John Doe' },
      { profile_id: 'ada', profile_type: 'tutor', name: 'Ada Tutor' },
    ],
    callee_connection_ids: ['callee-a'],
    expires_at: at(-55_000),
    deadline_at: at(5_000),
    ...overrides,
  });
}

/** A step that must be a write (a transition with a guard), for tests of its guard, changes and announcement. */
export function asWrite(step: Step): Transition {
  if (step.kind !== 'write') throw new Error(`expected a write, got a settled step: ${JSON.stringify(step.announcement)}`);
  return step;
}

/** A step that must write nothing. */
export function asSettled(step: Step): Settled {
  if (step.kind !== 'settled') throw new Error(`expected a settled step, got a write: ${JSON.stringify(step.changes)}`);
  return step;
}

/** The envelope a message about `CALL_ID` carries at `NOW`, from the given stamp. */
export function envelopeFrom(from: { id: string | number; type: string; name: string | null; avatar: string | null }) {
  return {
    call_id: CALL_ID,
    conversation_id: 'conv-1',
    from_profile_id: from.id,
    from_profile_type: from.type,
    from_name: from.name,
    from_avatar: from.avatar,
    sent_at: NOW.toISOString(),
  };
}

export const FROM_CALLER = { id: 456, type: 'student', name: 'John Doe', avatar: 'https://example.test/john.png' };
/** The callee as a call knows it before it answered or declined (no name yet). */
export const FROM_UNNAMED_CALLEE = { id: 'ada', type: 'tutor', name: null, avatar: null };
export const FROM_CALLEE = { id: 'ada', type: 'tutor', name: 'Ada Tutor', avatar: null };
