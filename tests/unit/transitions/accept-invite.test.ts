import { describe, expect, it } from 'vitest';
import { UNBOUND } from '../../../lambdas/core/model';
import { acceptInvite } from '../../../lambdas/core/transitions/accept-invite';
import { at, CALL_ID, callee, caller, envelopeFrom, FROM_CALLEE, NOW, ringingCall, SETTINGS, stranger } from '../fixtures';

/** A call the platform started, ringing on both callee sockets; the caller has no socket in it yet. */
const invited = (overrides = {}) => ringingCall({ origin: 'platform', caller_connection_id: UNBOUND, ...overrides });

describe('accepting a call the platform started', () => {
  const transition = acceptInvite(invited(), callee, NOW, SETTINGS);

  it('is written only while the call rings, before it expires, by its callee, and only if nobody accepted it first', () => {
    expect(transition.guard).toEqual({ status: 'initiated', notExpiredAt: NOW.toISOString(), calleeKey: callee.key, acceptedBy: null });
  });

  it('binds the accepting socket, names the callee and restarts the ring timer for the offer and the answer', () => {
    const restarted = at(SETTINGS.ringTimeoutSeconds * 1000);
    expect(transition.changes).toEqual({
      accepted_by: 'callee-a',
      callee_connection_ids: ['callee-a'],
      callee_name: 'Ada Tutor',
      callee_avatar: null,
      callee_participant_name: 'Ada Tutor',
      expires_at: restarted,
      deadline_at: restarted,
    });
  });

  it('tells every socket of the caller to offer, and stops the callee’s other devices ringing', () => {
    expect(transition.image).toBe('before');
    const announced = transition.announce(invited());
    expect(announced.sends).toEqual([
      {
        to: [],
        toProfile: caller.key,
        message: { type: 'call_invite_accepted', ...envelopeFrom(FROM_CALLEE), call_type: 'video', expires_at: at(45_000) },
        counted: true,
      },
      { to: ['callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'answered_elsewhere' } },
    ]);
    expect(announced.line).toEqual({ outcome: 'accepted', reason: null });
    expect(announced.call).toMatchObject({ status: 'initiated', accepted_by: 'callee-a', callee_connection_ids: ['callee-a'] });
  });
});

describe('an accept that may not be', () => {
  it('is forbidden to the caller and refused to outsiders', () => {
    expect(() => acceptInvite(invited(), caller, NOW, SETTINGS)).toThrow(expect.objectContaining({ code: 'forbidden', callId: CALL_ID }));
    expect(() => acceptInvite(invited(), stranger, NOW, SETTINGS)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });

  it('is refused for a call the platform did not start (that one is answered), and for one accepted or over', () => {
    expect(() => acceptInvite(ringingCall(), callee, NOW, SETTINGS)).toThrow(expect.objectContaining({ code: 'invalid_message' }));
    expect(() => acceptInvite(invited({ accepted_by: 'callee-b' }), callee, NOW, SETTINGS)).toThrow(
      expect.objectContaining({ code: 'call_not_ringing' }),
    );
    expect(() => acceptInvite(invited({ status: 'missed' }), callee, NOW, SETTINGS)).toThrow(
      expect.objectContaining({ code: 'call_not_ringing' }),
    );
  });
});
