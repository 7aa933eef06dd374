import { describe, expect, it } from 'vitest';
import { graceExpired } from '../../../lambdas/core/transitions/grace-expired';
import { answeredCall, at, envelopeFrom, FROM_CALLEE, FROM_CALLER, NOW } from '../fixtures';

describe('a resume grace that ran out', () => {
  const waiting = answeredCall({ disconnected_party: 'callee', deadline_at: at(-500) });

  it('ends the call disconnected, with its duration, if the same party is still away on the same timer', () => {
    const transition = graceExpired(waiting, NOW);
    expect(transition.guard).toEqual({ status: 'answered', deadlineAt: at(-500) });
    expect(transition.changes).toEqual({
      status: 'ended',
      end_reason: 'disconnected',
      ended_at: NOW.toISOString(),
      duration_seconds: 90,
      deadline_at: null,
      disconnected_party: null,
    });
  });

  it('tells the caller when the callee did not come back, from the callee', () => {
    const announced = graceExpired(waiting, NOW).announce({ ...waiting, status: 'ended' });
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'disconnected' }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'ended', reason: 'disconnected' });
  });

  it('tells the callee when the caller did not come back, from the caller', () => {
    const callerAway = answeredCall({ disconnected_party: 'caller' });
    const announced = graceExpired(callerAway, NOW).announce({ ...callerAway, status: 'ended' });
    expect(announced.sends).toEqual([
      { to: ['callee-a'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'disconnected' }, counted: true },
    ]);
  });

  it('tells nobody when both dropped, and still logs the end', () => {
    const bothAway = answeredCall({ disconnected_party: 'both' });
    expect(graceExpired(bothAway, NOW).announce({ ...bothAway, status: 'ended' })).toEqual({
      sends: [],
      line: { outcome: 'ended', reason: 'disconnected' },
    });
  });

  it('is no transition for a call nobody is waiting to resume', () => {
    expect(() => graceExpired(answeredCall(), NOW)).toThrow(/no party waiting to resume/);
  });
});
