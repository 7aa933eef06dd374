import { describe, expect, it } from 'vitest';
import { answer, assertAnswerable } from '../../../lambdas/core/transitions/answer';
import { answeredCall, at, CALL_ID, callee, caller, envelopeFrom, FROM_CALLEE, NOW, ringingCall, SETTINGS, stranger } from '../fixtures';

const sdp = { type: 'answer' as const, sdp: 'v=0 answer' };

describe('answering a ringing call', () => {
  const transition = answer(CALL_ID, callee, sdp, NOW, SETTINGS);

  it('is written only while the call rings, before it expires, by its callee, and (a call the platform started) once the caller offered, from the socket that accepted', () => {
    expect(transition.guard).toEqual({
      status: 'initiated',
      notExpiredAt: NOW.toISOString(),
      calleeKey: callee.key,
      callerSocket: 'bound',
      answerableBy: 'callee-a',
    });
  });

  it('binds the answering socket, names the callee and starts the liveness checks', () => {
    expect(transition.changes).toEqual({
      status: 'answered',
      answered_at: NOW.toISOString(),
      callee_connection_ids: ['callee-a'],
      callee_name: 'Ada Tutor',
      callee_avatar: null,
      callee_participant_name: 'Ada Tutor',
      deadline_at: at(SETTINGS.livenessCheckSeconds * 1000),
    });
  });

  it('tells the caller, from the callee, and stops the callee’s other devices ringing', () => {
    expect(transition.image).toBe('before');
    const announced = transition.announce(ringingCall());
    expect(announced.sends).toEqual([
      {
        to: ['caller-socket'],
        message: { type: 'call_answer', ...envelopeFrom(FROM_CALLEE), answer: sdp },
        counted: true,
        party: 'caller',
      },
      { to: ['callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'answered_elsewhere' } },
    ]);
    expect(announced.line).toEqual({ outcome: 'answered', reason: null });
  });

  it('leaves the call answered on one socket, with the callee among its named participants and no ring timer', () => {
    const { call } = answer(CALL_ID, callee, sdp, NOW, SETTINGS).announce(ringingCall());
    expect(call).toMatchObject({
      status: 'answered',
      answered_at: NOW.toISOString(),
      callee_connection_ids: ['callee-a'],
      callee_name: 'Ada Tutor',
    });
    expect(call?.participants[1]).toEqual({ profile_id: 'ada', profile_type: 'tutor', name: 'Ada Tutor' });
    expect(call).not.toHaveProperty('deadline_at');
    expect(call).not.toHaveProperty('deadline_shard');
  });

  it('stops no other device when the answering one was the only one to ring', () => {
    const announced = transition.announce(ringingCall({ callee_connection_ids: ['callee-a'] }));
    expect(announced.sends[1]?.to).toEqual([]);
  });
});

describe('an answer that may not be', () => {
  it('is forbidden to the caller', () => {
    expect(() => assertAnswerable(ringingCall(), caller)).toThrow(expect.objectContaining({ code: 'forbidden', callId: CALL_ID }));
  });

  it('is refused to anyone outside the call', () => {
    expect(() => assertAnswerable(ringingCall(), stranger)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });

  it('is not ringing once the call was answered or is over', () => {
    expect(() => assertAnswerable(answeredCall(), callee)).toThrow(
      expect.objectContaining({ code: 'call_not_ringing', message: 'The call is answered, not ringing' }),
    );
    expect(() => assertAnswerable(ringingCall({ status: 'missed' }), callee)).toThrow(
      expect.objectContaining({ code: 'call_not_ringing' }),
    );
  });

  it('is let through for the callee of a ringing call', () => {
    expect(() => assertAnswerable(ringingCall(), callee)).not.toThrow();
  });
});
