import { describe, expect, it } from 'vitest';
import type { LineRecord } from '../../lambdas/core/model';
import { durationSeconds, partyOf, restoreId, socketsOfParty } from '../../lambdas/core/rules';
import { judgeLineHolder, ORPHANED_LINE_MS } from '../../lambdas/core/transitions/glare';
import { afterDrop, afterDrops } from '../../lambdas/core/transitions/party-dropped';
import { afterResume } from '../../lambdas/core/transitions/party-resumed';
import { profileKey } from '../../shared/profile';

const alice = profileKey('student', 456);
const bob = profileKey('tutor', 789);
const carol = profileKey('parent', 1);
const now = new Date('2026-01-01T12:00:00.000Z');

const line = (callId: string, callerKey = bob, calleeKey = alice, claimedAt = now.toISOString()): LineRecord => ({
  profileKey: alice,
  callId,
  callerKey,
  calleeKey,
  claimedAt,
});
const ringing = { status: 'initiated' as const, expires_at: new Date(now.getTime() + 30_000).toISOString() };

describe('who holds a line', () => {
  const ours = { callId: '01JB0000000000000000000000', callerKey: alice, calleeKey: bob };

  it('treats a line whose call is over as free', () => {
    expect(
      judgeLineHolder(ours, line('01JA0000000000000000000000', carol, alice), { status: 'ended', expires_at: ringing.expires_at }, now),
    ).toBe('stale');
  });

  it('treats ringing long past its expiry as over even before the sweeper runs', () => {
    const expired = { status: 'initiated' as const, expires_at: new Date(now.getTime() - 60_000).toISOString() };
    expect(judgeLineHolder(ours, line('01JA0000000000000000000000', carol, alice), expired, now)).toBe('stale');
  });

  it('treats a claim whose call was never written as abandoned only after a while', () => {
    const recent = line('01JA0000000000000000000000', carol, alice);
    const old = line('01JA0000000000000000000000', carol, alice, new Date(now.getTime() - ORPHANED_LINE_MS - 1).toISOString());
    expect(judgeLineHolder(ours, recent, undefined, now)).toBe('busy');
    expect(judgeLineHolder(ours, old, undefined, now)).toBe('stale');
  });

  it('reports busy when the profile is in a call with someone else', () => {
    expect(judgeLineHolder(ours, line('01JA0000000000000000000000', carol, alice), ringing, now)).toBe('busy');
  });

  it('reports busy when the two are already in an answered call together', () => {
    const answered = { status: 'answered' as const, expires_at: ringing.expires_at };
    expect(judgeLineHolder(ours, line('01JC0000000000000000000000', bob, alice), answered, now)).toBe('busy');
  });

  it('settles glare in favour of the smaller call id', () => {
    expect(judgeLineHolder(ours, line('01JC0000000000000000000000', bob, alice), ringing, now)).toBe('stand');
    expect(judgeLineHolder(ours, line('01JA0000000000000000000000', bob, alice), ringing, now)).toBe('yield');
  });

  it('waits for the losing glare call to be written before declining it', () => {
    expect(judgeLineHolder(ours, line('01JC0000000000000000000000', bob, alice), undefined, now)).toBe('wait');
  });
});

describe('call arithmetic', () => {
  it('counts whole seconds from answer to end', () => {
    expect(durationSeconds('2026-01-01T12:00:00.000Z', '2026-01-01T12:01:05.999Z')).toBe(65);
  });

  it('never reports a negative duration when clocks disagree', () => {
    expect(durationSeconds('2026-01-01T12:00:01.000Z', '2026-01-01T12:00:00.000Z')).toBe(0);
  });

  it('gives numeric profile ids back as numbers and string ids as strings', () => {
    expect(restoreId('456', 'number')).toBe(456);
    expect(restoreId('456', 'string')).toBe('456');
  });

  it('reaches the caller on its one socket and the callee on every rung socket', () => {
    const call = { caller_connection_id: 'a', callee_connection_ids: ['b1', 'b2'] };
    expect(socketsOfParty(call, 'caller')).toEqual(['a']);
    expect(socketsOfParty(call, 'callee')).toEqual(['b1', 'b2']);
  });

  it('knows only the two profiles of a call as its parties', () => {
    const call = { caller_key: alice, callee_key: bob };
    expect(partyOf(call, alice)).toBe('caller');
    expect(partyOf(call, bob)).toBe('callee');
    expect(partyOf(call, carol)).toBeUndefined();
  });
});

describe('parties that drop and come back', () => {
  it('announces each drop once, and remembers when both parties are gone', () => {
    expect(afterDrop(undefined, 'caller')).toBe('caller');
    expect(afterDrop('caller', 'caller')).toBeUndefined();
    expect(afterDrop('caller', 'callee')).toBe('both');
    expect(afterDrop('both', 'callee')).toBeUndefined();
  });

  it('waits on both when a liveness check finds both parties gone at once, and says so only once', () => {
    expect(afterDrops(undefined, ['caller', 'callee'])).toBe('both');
    expect(afterDrops('caller', ['caller', 'callee'])).toBe('both');
    expect(afterDrops('both', ['caller', 'callee'])).toBeUndefined();
    expect(afterDrops(undefined, ['callee'])).toBe('callee');
    expect(afterDrops('callee', ['callee'])).toBeUndefined();
  });

  it('waits on the other party when one of two dropped parties resumes', () => {
    expect(afterResume('both', 'caller')).toBe('callee');
    expect(afterResume('caller', 'caller')).toBeUndefined();
    expect(afterResume('callee', 'caller')).toBe('callee');
    expect(afterResume(undefined, 'callee')).toBeUndefined();
  });
});
