import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../shared/protocol';
import { parseProfileKey, parseProfileTypes, profileKey } from '../../shared/profile';

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

describe('profile keys', () => {
  it('compares ids by their string form', () => {
    expect(profileKey('student', 456)).toBe(profileKey('student', '456'));
    expect(profileKey('student', 456)).toBe('student_456');
  });

  it('splits a key back at its first underscore, so ids may contain underscores', () => {
    expect(parseProfileKey('tutor_a_b')).toEqual({ profile_type: 'tutor', profile_id: 'a_b' });
  });

  it('accepts a configured set of profile types and refuses malformed ones', () => {
    expect(parseProfileTypes('tutor, student')).toEqual(['tutor', 'student']);
    expect(parseProfileTypes(undefined)).toContain('advertiser');
    expect(() => parseProfileTypes('Bad_Type')).toThrow();
  });
});

describe('parsing a client frame', () => {
  it('accepts the seed call_invitation unchanged and drops spoofed sender fields', () => {
    const seed = {
      type: 'call_invitation',
      call_type: 'video',
      conversation_id: 123,
      from_profile_id: 999,
      from_profile_type: 'tutor',
      from_name: 'Mallory',
      from_avatar: 'https://example.com/a.png',
      to_profile_id: 789,
      to_profile_type: 'tutor',
      offer,
    };
    const parsed = parseClientMessage(JSON.stringify(seed));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message).not.toHaveProperty('from_name');
    expect(parsed.message).not.toHaveProperty('from_profile_id');
    expect(parsed.message).toMatchObject({ type: 'call_invitation', to_profile_id: 789, conversation_id: 123 });
  });

  it('accepts each seed message format', () => {
    const seeds = [
      {
        type: 'call_answer',
        conversation_id: 123,
        from_profile_id: 789,
        to_profile_id: 456,
        to_profile_type: 'student',
        answer: { type: 'answer', sdp: 'v=0' },
      },
      {
        type: 'ice_candidate',
        conversation_id: 123,
        from_profile_id: 456,
        to_profile_id: 789,
        to_profile_type: 'tutor',
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
      { type: 'call_declined', conversation_id: 123, reason: 'rejected' },
      { type: 'call_ended', conversation_id: 123, from_profile_id: 456, to_profile_id: 789, to_profile_type: 'tutor' },
    ];
    for (const seed of seeds) expect(parseClientMessage(JSON.stringify(seed))).toMatchObject({ ok: true });
  });

  it('defaults a decline without a reason to rejected', () => {
    expect(parseClientMessage('{"type":"call_declined"}')).toMatchObject({ ok: true, message: { reason: 'rejected' } });
  });

  it('tells invalid JSON, a missing type, an unknown type and a bad message apart', () => {
    expect(parseClientMessage('{nope')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, code: 'invalid_message' });
    expect(parseClientMessage('{"call_type":"voice"}')).toMatchObject({ ok: false, code: 'invalid_message' });
    expect(parseClientMessage('{"type":"teleport"}')).toMatchObject({ ok: false, code: 'unknown_type', requestType: 'teleport' });
    expect(parseClientMessage('{"type":"call_invitation","call_type":"hologram"}')).toMatchObject({
      ok: false,
      code: 'invalid_message',
      requestType: 'call_invitation',
    });
  });

  it('requires exactly one of candidate or candidates, and at most 50 in a batch', () => {
    const candidate = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
    expect(parseClientMessage(JSON.stringify({ type: 'ice_candidate' }))).toMatchObject({ ok: false });
    expect(parseClientMessage(JSON.stringify({ type: 'ice_candidate', candidate, candidates: [candidate] }))).toMatchObject({ ok: false });
    expect(parseClientMessage(JSON.stringify({ type: 'ice_candidate', candidates: Array(50).fill(candidate) }))).toMatchObject({
      ok: true,
    });
    expect(parseClientMessage(JSON.stringify({ type: 'ice_candidate', candidates: Array(51).fill(candidate) }))).toMatchObject({
      ok: false,
    });
  });

  it('refuses call ids the server could not have issued', () => {
    expect(parseClientMessage('{"type":"call_resume","call_id":"../../etc"}')).toMatchObject({ ok: false, code: 'invalid_message' });
  });
});
