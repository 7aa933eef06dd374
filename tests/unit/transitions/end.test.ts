import { describe, expect, it } from 'vitest';
import { end } from '../../../lambdas/core/transitions/end';
import { answeredCall, asSettled, asWrite, callee, caller, NOW, ringingCall, stranger } from '../fixtures';

describe('call_ended, for the call as it stands', () => {
  it('hangs up an answered call, from either party', () => {
    expect(asWrite(end(answeredCall(), caller, NOW)).changes).toMatchObject({ status: 'ended', end_reason: 'hangup' });
    expect(asWrite(end(answeredCall(), callee, NOW)).changes).toMatchObject({ status: 'ended', end_reason: 'hangup' });
  });

  it('declines a ringing call when the callee sends it', () => {
    expect(asWrite(end(ringingCall(), callee, NOW)).changes).toMatchObject({ status: 'declined', end_reason: 'rejected' });
  });

  it('cancels a ringing call when the caller sends it, from any of its sockets', () => {
    const transition = asWrite(end(ringingCall(), { ...caller, connectionId: 'caller-other-tab' }, NOW));
    expect(transition.guard).toEqual({ status: 'initiated' });
    expect(transition.changes).toMatchObject({ status: 'missed', end_reason: 'cancelled' });
  });

  it('changes nothing and says nothing once the call is over', () => {
    for (const status of ['ended', 'declined', 'missed'] as const) {
      const step = asSettled(end(ringingCall({ status }), caller, NOW));
      expect(step.announcement).toEqual({ sends: [], line: { outcome: 'ignored', reason: 'already_final' } });
    }
  });

  it('is refused to anyone outside the call, even once it is over', () => {
    expect(() => end(ringingCall(), stranger, NOW)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
    expect(() => end(answeredCall({ status: 'ended' }), stranger, NOW)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });
});
