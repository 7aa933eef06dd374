/** What a `call_settings` message does to a profile's settings, and how they look on the wire. Pure, no store. */
import { describe, expect, it } from 'vitest';
import {
  changeSettings,
  DEFAULT_PROFILE_SETTINGS,
  isSettingsChange,
  sameSettings,
  settingsMessage,
  type ProfileSettings,
} from '../../lambdas/core/profile-settings';
import { MAX_BLOCKED_PROFILES } from '../../shared/limits';
import { profileKey } from '../../shared/profile';
import type { ClientMessageOf } from '../../shared/protocol';
import { NOW, at } from './fixtures';

const OWNER = profileKey('tutor', 42);
const TYPES = ['tutor', 'student', 'parent'];
type Request = ClientMessageOf<'call_settings'>;
const request = (fields: Omit<Request, 'type'>): Request => ({ type: 'call_settings', ...fields });
const change = (current: ProfileSettings, fields: Omit<Request, 'type'>, now = NOW) =>
  changeSettings(current, request(fields), OWNER, now, TYPES);
const ids = (settings: ProfileSettings) => settings.blocked.map((entry) => entry.profileId);

describe('a settings message', () => {
  it('is a read when it has no field to change', () => {
    expect(isSettingsChange(request({}))).toBe(false);
    expect(isSettingsChange(request({ who_can_call: 'everyone' }))).toBe(true);
    expect(isSettingsChange(request({ unblock: [] }))).toBe(true);
  });

  it('puts new blocks on top in the order given, each dated', () => {
    const first = change(DEFAULT_PROFILE_SETTINGS, { block: [{ profile_id: 1, profile_type: 'student' }] }, new Date(at(-1000)));
    const next = change(first, {
      block: [
        { profile_id: 2, profile_type: 'student', name: 'Two' },
        { profile_id: 'three', profile_type: 'parent' },
      ],
    });
    expect(ids(next)).toEqual([2, 'three', 1]);
    expect(next.blocked[0]).toEqual({
      key: profileKey('student', 2),
      profileId: 2,
      profileType: 'student',
      name: 'Two',
      blockedAt: NOW.toISOString(),
    });
    expect(next.blocked[2]?.blockedAt).toBe(at(-1000));
  });

  it('keeps a profile blocked again where it was, taking a new name but never losing one', () => {
    const blocked = change(DEFAULT_PROFILE_SETTINGS, {
      block: [
        { profile_id: 1, profile_type: 'student', name: 'Sam' },
        { profile_id: 2, profile_type: 'student' },
      ],
    });
    const renamed = change(blocked, {
      block: [
        { profile_id: '2', profile_type: 'student', name: 'Kim' },
        { profile_id: 1, profile_type: 'student' },
      ],
    });
    expect(renamed.blocked.map((entry) => [entry.profileId, entry.name])).toEqual([
      [1, 'Sam'],
      [2, 'Kim'],
    ]);
    expect(sameSettings(blocked, change(blocked, { block: [{ profile_id: 1, profile_type: 'student', name: null }] }))).toBe(true);
  });

  it('unblocks before it blocks, so one message can swap a profile for another, and blocking one twice in it counts once', () => {
    const blocked = change(DEFAULT_PROFILE_SETTINGS, { block: [{ profile_id: 1, profile_type: 'student' }] });
    const swapped = change(blocked, {
      unblock: [{ profile_id: 1, profile_type: 'student' }],
      block: [
        { profile_id: 5, profile_type: 'student' },
        { profile_id: 5, profile_type: 'student', name: 'ignored: the first wins' },
      ],
    });
    expect(ids(swapped)).toEqual([5]);
    expect(swapped.blocked[0]?.name).toBeNull();
    expect(ids(change(swapped, { unblock: [{ profile_id: 99, profile_type: 'robot' }] }))).toEqual([5]);
  });

  it('ignores the owner blocking itself', () => {
    expect(change(DEFAULT_PROFILE_SETTINGS, { block: [{ profile_id: '42', profile_type: 'tutor' }] })).toEqual(DEFAULT_PROFILE_SETTINGS);
  });

  it('changes who can call alone, leaving the list as it is', () => {
    const blocked = change(DEFAULT_PROFILE_SETTINGS, { block: [{ profile_id: 1, profile_type: 'student' }] });
    const nobody = change(blocked, { who_can_call: 'nobody' });
    expect(nobody).toEqual({ ...blocked, whoCanCall: 'nobody' });
    expect(sameSettings(blocked, nobody)).toBe(false);
  });

  it('refuses a profile type the deployment does not have, as invitations do', () => {
    expect(() => change(DEFAULT_PROFILE_SETTINGS, { block: [{ profile_id: 1, profile_type: 'robot' }] })).toThrow(
      expect.objectContaining({ code: 'invalid_message', message: 'Unknown profile type "robot"' }),
    );
  });

  it(`refuses to grow the list past ${MAX_BLOCKED_PROFILES}, in plain words`, () => {
    const full = change(DEFAULT_PROFILE_SETTINGS, {
      block: Array.from({ length: MAX_BLOCKED_PROFILES }, (_, index) => ({ profile_id: index, profile_type: 'student' })),
    });
    expect(full.blocked).toHaveLength(MAX_BLOCKED_PROFILES);
    expect(() => change(full, { block: [{ profile_id: 'one-more', profile_type: 'student' }] })).toThrow(
      expect.objectContaining({
        code: 'invalid_message',
        message: `You can block at most ${MAX_BLOCKED_PROFILES} profiles; unblock some before blocking more`,
      }),
    );
    expect(change(full, { block: [{ profile_id: 0, profile_type: 'student' }] }).blocked).toHaveLength(MAX_BLOCKED_PROFILES);
  });
});

describe('the settings on the wire', () => {
  it('list who can call and the blocked profiles, newest first, ids as they were given', () => {
    const settings = change(DEFAULT_PROFILE_SETTINGS, {
      who_can_call: 'conversations',
      block: [
        { profile_id: 7, profile_type: 'student', name: 'Sam' },
        { profile_id: 'p-8', profile_type: 'parent' },
      ],
    });
    expect(settingsMessage(settings, NOW)).toEqual({
      type: 'call_settings',
      who_can_call: 'conversations',
      blocked: [
        { profile_id: 7, profile_type: 'student', name: 'Sam' },
        { profile_id: 'p-8', profile_type: 'parent', name: null },
      ],
      sent_at: NOW.toISOString(),
    });
  });
});
