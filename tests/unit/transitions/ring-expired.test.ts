import { describe, expect, it } from 'vitest';
import { ringExpired } from '../../../lambdas/core/transitions/ring-expired';
import { at, envelopeFrom, FROM_CALLER, FROM_UNNAMED_CALLEE, NOW, ringingCall } from '../fixtures';

describe('a ring that expired', () => {
  const due = ringingCall({ expires_at: at(-1_000), deadline_at: at(-1_000) });
  const transition = ringExpired(due, NOW);

  it('is written only if the call still rings on the timer the sweeper found due', () => {
    expect(transition.guard).toEqual({ status: 'initiated', deadlineAt: at(-1_000) });
  });

  it('makes the call missed, timed out', () => {
    expect(transition.changes).toEqual({
      status: 'missed',
      end_reason: 'timeout',
      ended_at: NOW.toISOString(),
      deadline_at: null,
      disconnected_party: null,
    });
  });

  it('tells the caller it was declined (timeout), from the callee, and every callee socket that it ended', () => {
    const announced = transition.announce({ ...due, status: 'missed' });
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_declined', ...envelopeFrom(FROM_UNNAMED_CALLEE), reason: 'timeout' }, counted: true },
      { to: ['callee-a', 'callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'timeout' }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'missed', reason: 'timeout' });
  });
});
