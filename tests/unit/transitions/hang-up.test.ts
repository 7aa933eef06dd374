import { describe, expect, it } from 'vitest';
import { hangUp } from '../../../lambdas/core/transitions/hang-up';
import { answeredCall, callee, caller, envelopeFrom, FROM_CALLEE, FROM_CALLER, NOW, stranger } from '../fixtures';

describe('hanging up an answered call', () => {
  it('ends it, with its duration in whole seconds from the answer', () => {
    const transition = hangUp(answeredCall(), caller, NOW);
    expect(transition.guard).toEqual({ status: 'answered' });
    expect(transition.changes).toEqual({
      status: 'ended',
      end_reason: 'hangup',
      ended_at: NOW.toISOString(),
      duration_seconds: 90,
      deadline_at: null,
      disconnected_party: null,
    });
  });

  it('tells the callee when the caller hangs up', () => {
    const announced = hangUp(answeredCall(), caller, NOW).announce(answeredCall({ status: 'ended' }));
    expect(announced.sends).toEqual([
      { to: ['callee-a'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'hangup' }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'ended', reason: 'hangup' });
  });

  it('tells the caller when the callee hangs up, on the socket the call has it on as written', () => {
    const announced = hangUp(answeredCall(), callee, NOW).announce(
      answeredCall({ status: 'ended', caller_connection_id: 'caller-resumed' }),
    );
    expect(announced.sends).toEqual([
      { to: ['caller-resumed'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'hangup' }, counted: true },
    ]);
  });

  it('counts the duration from the start when no answer time was kept', () => {
    expect(hangUp(answeredCall({ answered_at: null }), caller, NOW).changes.duration_seconds).toBe(100);
  });

  it('is refused to anyone outside the call', () => {
    expect(() => hangUp(answeredCall(), stranger, NOW)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });
});
