/** Who may call whom: every branch of the decision, and the setting that picks the policy. */
import { describe, expect, it } from 'vitest';
import { decideCall, requireMayCall, type CallGrant, type GrantCheck } from '../../lambdas/core/call-policy';
import type { Sender } from '../../lambdas/core/model';
import { readAppSettings } from '../../infra/aws/app-settings';
import { parseCallPolicy } from '../../shared/call-policy';
import { profileKey } from '../../shared/profile';

const student: Sender = {
  connectionId: 'conn-student',
  identity: { profileId: 456, profileType: 'student', name: 'John Doe', avatar: null, userId: null },
  key: profileKey('student', 456),
};
const invitation = { to_profile_id: 42, to_profile_type: 'tutor', conversation_id: 9001, call_type: 'video' as const };
const grant: CallGrant = {
  caller: { profile_id: 456, profile_type: 'student' },
  callee: { profile_id: 42, profile_type: 'tutor' },
  conversationId: 9001,
};
const verified = (changes: Partial<CallGrant> = {}): GrantCheck => ({ kind: 'verified', grant: { ...grant, ...changes } });

describe('the open policy', () => {
  it('rings without a grant, as before', () => {
    expect(decideCall('open', { kind: 'absent' }, student, invitation)).toEqual({ allowed: true });
  });

  it('still refuses a grant that does not verify, so grants can be rolled out first', () => {
    expect(decideCall('open', { kind: 'invalid', failure: 'bad_signature' }, student, invitation)).toEqual({
      allowed: false,
      refusal: 'bad_signature',
    });
  });

  it('still refuses a valid grant for another callee', () => {
    expect(decideCall('open', verified({ callee: { profile_id: 43, profile_type: 'tutor' } }), student, invitation)).toMatchObject({
      allowed: false,
    });
  });
});

describe('the conversation policy', () => {
  it('refuses an invitation without a grant', () => {
    expect(decideCall('conversation', { kind: 'absent' }, student, invitation)).toEqual({ allowed: false, refusal: 'no_grant' });
  });

  it('refuses a grant that did not verify, saying why only to the log', () => {
    for (const failure of ['malformed', 'bad_signature', 'expired', 'invalid_claims', 'too_long_lived'] as const) {
      expect(decideCall('conversation', { kind: 'invalid', failure }, student, invitation)).toEqual({ allowed: false, refusal: failure });
    }
  });

  it('rings with a grant for this caller, this callee and this conversation', () => {
    expect(decideCall('conversation', verified(), student, invitation)).toEqual({ allowed: true });
  });

  it('compares ids by their string form, as profile keys do', () => {
    const stringIds = verified({
      caller: { profile_id: '456', profile_type: 'student' },
      callee: { profile_id: '42', profile_type: 'tutor' },
      conversationId: '9001',
    });
    expect(decideCall('conversation', stringIds, student, invitation)).toEqual({ allowed: true });
  });

  it('refuses a grant minted for another caller', () => {
    expect(decideCall('conversation', verified({ caller: { profile_id: 456, profile_type: 'parent' } }), student, invitation)).toEqual({
      allowed: false,
      refusal: 'other_caller',
    });
  });

  it('refuses a grant minted for another callee', () => {
    expect(decideCall('conversation', verified({ callee: { profile_id: 42, profile_type: 'student' } }), student, invitation)).toEqual({
      allowed: false,
      refusal: 'other_callee',
    });
  });

  it('refuses a grant for another conversation, or an invitation that names none', () => {
    expect(decideCall('conversation', verified({ conversationId: 9002 }), student, invitation)).toEqual({
      allowed: false,
      refusal: 'other_conversation',
    });
    expect(decideCall('conversation', verified(), student, { ...invitation, conversation_id: null })).toEqual({
      allowed: false,
      refusal: 'other_conversation',
    });
  });

  it('refuses a grant for voice used for video, and accepts one for video', () => {
    expect(decideCall('conversation', verified({ callType: 'voice' }), student, invitation)).toEqual({
      allowed: false,
      refusal: 'other_call_type',
    });
    expect(decideCall('conversation', verified({ callType: 'video' }), student, invitation)).toEqual({ allowed: true });
  });
});

describe('a refusal', () => {
  it('is one forbidden error that does not say which check failed', () => {
    const messages = (['no_grant', 'other_callee', 'expired'] as const).map((refusal) => {
      const check: GrantCheck =
        refusal === 'no_grant'
          ? { kind: 'absent' }
          : refusal === 'expired'
            ? { kind: 'invalid', failure: 'expired' }
            : verified({ callee: { profile_id: 1, profile_type: 'tutor' } });
      try {
        requireMayCall('conversation', check, student, invitation);
        return 'allowed';
      } catch (error) {
        expect(error).toMatchObject({ code: 'forbidden', refusal });
        return (error as Error).message;
      }
    });
    expect(new Set(messages).size).toBe(1);
  });
});

describe('the CALL_POLICY setting', () => {
  it('defaults to open and reads either name in any case', () => {
    expect(parseCallPolicy('CALL_POLICY', undefined)).toBe('open');
    expect(parseCallPolicy('CALL_POLICY', '')).toBe('open');
    expect(parseCallPolicy('CALL_POLICY', ' Conversation ')).toBe('conversation');
    expect(parseCallPolicy('CALL_POLICY', 'open')).toBe('open');
  });

  it('fails on anything else, naming the setting', () => {
    expect(() => parseCallPolicy('CALL_POLICY', 'closed')).toThrow(/CALL_POLICY must be one of open, conversation/);
    expect(() => parseCallPolicy('Context "callPolicy"', true)).toThrow(/callPolicy/);
  });
});

describe('the callPolicy CDK context', () => {
  const from = (context: Record<string, unknown>) => readAppSettings((key) => context[key]);

  it('is unset by default (the stack then says open) and read from -c strings', () => {
    expect(from({})).toMatchObject({ callPolicy: undefined, callGrantMaxTtlSeconds: undefined });
    expect(from({ callPolicy: 'conversation', callGrantMaxTtlSeconds: '120' })).toMatchObject({
      callPolicy: 'conversation',
      callGrantMaxTtlSeconds: 120,
    });
  });

  it('fails synth on a policy it does not know, naming the key', () => {
    expect(() => from({ callPolicy: 'friends-only' })).toThrow(/Context "callPolicy" must be one of open, conversation/);
    expect(() => from({ callGrantMaxTtlSeconds: '-1' })).toThrow(/callGrantMaxTtlSeconds/);
  });
});
