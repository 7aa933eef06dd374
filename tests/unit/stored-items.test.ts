/** What the store accepts back from its tables: well-formed items become records; anything else is one clear failure. */
import { describe, expect, it } from 'vitest';
import {
  callFromItem,
  lineFromItem,
  profileSettingsFromItem,
  socketFromIndexItem,
  timerFromIndexItem,
} from '../../lambdas/adapters/stored-items';
import { callee, caller, ringingCall } from './fixtures';

describe('a stored call', () => {
  it('is read back as the record that was written', () => {
    const call = ringingCall();
    expect(callFromItem(structuredClone(call))).toEqual(call);
  });

  it('is read back without a pending timer or a dropped party once those are removed', () => {
    const { deadline_at: _at, deadline_shard: _shard, ...untimed } = ringingCall();
    expect(callFromItem(untimed)).toEqual(untimed);
    expect(callFromItem({ ...untimed, disconnected_party: 'both' })).toMatchObject({ disconnected_party: 'both' });
  });

  it('is refused, naming the field, when a field is missing or of another kind', () => {
    const { callee_key: _missing, ...withoutCallee } = ringingCall();
    expect(() => callFromItem(withoutCallee)).toThrow(/Malformed call in the store: callee_key/);
    expect(() => callFromItem({ ...ringingCall(), status: 'ringing' })).toThrow(/status/);
    expect(() => callFromItem({ ...ringingCall(), caller_key: 'no-separator' })).toThrow(/caller_key: not a profile key/);
    expect(() => callFromItem({ ...ringingCall(), disconnected_party: 'nobody' })).toThrow(/disconnected_party/);
    expect(() => callFromItem(undefined)).toThrow(/Malformed call/);
  });
});

describe('a call kept out of the callee’s history', () => {
  it('is stored without callee_key and read back with its callee still a party', () => {
    const { callee_key: _hidden, ...stored } = ringingCall({ status: 'declined', hidden_from_callee: true });
    expect(callFromItem(stored)).toEqual(ringingCall({ status: 'declined', hidden_from_callee: true }));
  });
});

describe('stored profile settings', () => {
  it('are read back with each blocked profile’s key, ids as they were stored', () => {
    const item = {
      profile_key: 'tutor_42',
      who_can_call: 'conversations',
      blocked: [
        { profile_id: 7, profile_type: 'student', name: 'Sam', blocked_at: '2026-01-01T12:00:00.000Z' },
        { profile_id: 'p-8', profile_type: 'parent', name: null, blocked_at: '2026-01-01T11:00:00.000Z' },
      ],
      version: 3,
    };
    expect(profileSettingsFromItem(item)).toEqual({
      whoCanCall: 'conversations',
      blocked: [
        { key: 'student_7', profileId: 7, profileType: 'student', name: 'Sam', blockedAt: '2026-01-01T12:00:00.000Z' },
        { key: 'parent_p-8', profileId: 'p-8', profileType: 'parent', name: null, blockedAt: '2026-01-01T11:00:00.000Z' },
      ],
      version: 3,
    });
  });

  it('are refused, naming the field, when malformed', () => {
    const valid = { who_can_call: 'everyone', blocked: [], version: 1 };
    expect(() => profileSettingsFromItem({ ...valid, who_can_call: 'friends' })).toThrow(
      /Malformed profile settings in the store: who_can_call/,
    );
    expect(() => profileSettingsFromItem({ ...valid, version: 0 })).toThrow(/version/);
    expect(() => profileSettingsFromItem({ ...valid, blocked: [{ profile_id: 1, profile_type: 'student' }] })).toThrow(/blocked/);
  });
});

describe('lines, sockets and timers', () => {
  it('are read back from their items', () => {
    const item = {
      pk: `line#${callee.key}`,
      call_id: 'c1',
      caller_key: caller.key,
      callee_key: callee.key,
      claimed_at: '2026-01-01T12:00:00.000Z',
    };
    expect(lineFromItem(item, callee.key)).toEqual({
      profileKey: callee.key,
      callId: 'c1',
      callerKey: caller.key,
      calleeKey: callee.key,
      claimedAt: '2026-01-01T12:00:00.000Z',
    });
    expect(
      socketFromIndexItem({
        pk: 'conn#s1',
        connection_id: 's1',
        profile_key: caller.key,
        connected_at: '2026-01-01T12:00:00.000Z',
        expires_at_epoch: 1,
      }),
    ).toEqual({ connectionId: 's1', profileKey: caller.key, connectedAt: '2026-01-01T12:00:00.000Z' });
    expect(timerFromIndexItem({ call_id: 'c1', deadline_at: '2026-01-01T12:00:00.000Z', deadline_shard: 'pending' })).toEqual({
      callId: 'c1',
      deadlineAt: '2026-01-01T12:00:00.000Z',
    });
  });

  it('are refused when malformed', () => {
    expect(() => lineFromItem({ call_id: 'c1' }, callee.key)).toThrow(/Malformed line/);
    expect(() => socketFromIndexItem({ connection_id: 7, profile_key: caller.key })).toThrow(
      /Malformed socket in the store: connection_id/,
    );
  });
});
