/**
 * Who may call whom, past the deployment's policy: the callee's own settings (block list, who can
 * call), and what presence asks of the policy. Pure decisions, no store.
 */
import { describe, expect, it } from 'vitest';
import { decideReach, requireMayCall, type GrantCheck } from '../../lambdas/core/call-policy';
import type { Sender } from '../../lambdas/core/model';
import { DEFAULT_PROFILE_SETTINGS, type ProfileSettings } from '../../lambdas/core/profile-settings';
import { calleeRefusal, refusalReason } from '../../lambdas/core/who-may-call';
import { profileKey } from '../../shared/profile';

const student: Sender = {
  connectionId: 'conn-student',
  identity: { profileId: 456, profileType: 'student', name: 'John Doe', avatar: null, userId: null },
  key: profileKey('student', 456),
};
const tutor = { profile_id: 42, profile_type: 'tutor' };
const pairGrant: GrantCheck = {
  kind: 'verified',
  grant: { caller: { profile_id: 456, profile_type: 'student' }, callee: tutor, conversationId: 9001 },
};

const blocking = (...keys: string[]): ProfileSettings['blocked'] =>
  keys.map((key, index) => {
    const [profileType = '', profileId = ''] = key.split('_');
    return { key: profileKey(profileType, profileId), profileId, profileType, name: null, blockedAt: `2026-01-01T00:00:0${index}.000Z` };
  });

describe('a callee’s settings', () => {
  it('let anyone through by default, with or without a grant', () => {
    expect(calleeRefusal(DEFAULT_PROFILE_SETTINGS, student.key, false)).toBeUndefined();
    expect(calleeRefusal(DEFAULT_PROFILE_SETTINGS, student.key, true)).toBeUndefined();
  });

  it('refuse a blocked caller whatever the setting and whatever the grant, and only that caller', () => {
    for (const whoCanCall of ['everyone', 'conversations', 'nobody'] as const) {
      const settings: ProfileSettings = { whoCanCall, blocked: blocking('parent_1', 'student_456') };
      expect(calleeRefusal(settings, student.key, true), whoCanCall).toBe('blocked');
    }
    expect(calleeRefusal({ whoCanCall: 'everyone', blocked: blocking('student_457') }, student.key, false)).toBeUndefined();
  });

  it('refuse everyone when the callee takes no calls, grant or not', () => {
    const nobody: ProfileSettings = { whoCanCall: 'nobody', blocked: [] };
    expect(calleeRefusal(nobody, student.key, false)).toBe('nobody');
    expect(calleeRefusal(nobody, student.key, true)).toBe('nobody');
  });

  it('let a caller through to a profile that takes calls from its conversations only with the platform’s grant', () => {
    const conversations: ProfileSettings = { whoCanCall: 'conversations', blocked: [] };
    expect(calleeRefusal(conversations, student.key, false)).toBe('conversations');
    expect(calleeRefusal(conversations, student.key, true)).toBeUndefined();
  });

  it('name the rule for the operator', () => {
    expect(refusalReason('blocked')).toBe('callee_settings_blocked');
    expect(refusalReason('conversations')).toBe('callee_settings_conversations');
  });
});

describe('what an invitation the policy let through carries on', () => {
  const invitation = { ...tutorAddress(), conversation_id: 9001, call_type: 'video' as const };

  it('is vouched for only with a verified grant for the pair', () => {
    expect(requireMayCall('open', { kind: 'absent' }, student, invitation)).toEqual({ vouched: false });
    expect(requireMayCall('open', pairGrant, student, invitation)).toEqual({ vouched: true });
    expect(requireMayCall('conversation', pairGrant, student, invitation)).toEqual({ vouched: true });
  });
});

describe('whether an asker may see a profile’s presence, by the policy', () => {
  it('under open: yes without a grant; a grant sent must be for this asker and this profile', () => {
    expect(decideReach('open', { kind: 'absent' }, student, tutor)).toEqual({ allowed: true });
    expect(decideReach('open', pairGrant, student, tutor)).toEqual({ allowed: true });
    expect(decideReach('open', { kind: 'invalid', failure: 'expired' }, student, tutor)).toEqual({ allowed: false, refusal: 'expired' });
    expect(decideReach('open', pairGrant, student, { profile_id: 43, profile_type: 'tutor' })).toEqual({
      allowed: false,
      refusal: 'other_callee',
    });
  });

  it('under conversation: only with a grant for the pair, whatever its conversation', () => {
    expect(decideReach('conversation', { kind: 'absent' }, student, tutor)).toEqual({ allowed: false, refusal: 'no_grant' });
    expect(decideReach('conversation', pairGrant, student, { profile_id: '42', profile_type: 'tutor' })).toEqual({ allowed: true });
    const otherCaller: Sender = { ...student, key: profileKey('student', 457) };
    expect(decideReach('conversation', pairGrant, otherCaller, tutor)).toEqual({ allowed: false, refusal: 'other_caller' });
  });
});

function tutorAddress() {
  return { to_profile_id: tutor.profile_id, to_profile_type: tutor.profile_type };
}
