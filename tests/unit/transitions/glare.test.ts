import { describe, expect, it } from 'vitest';
import { glareLost } from '../../../lambdas/core/transitions/glare';
import { envelopeFrom, FROM_CALLER, FROM_UNNAMED_CALLEE, NOW, ringingCall } from '../fixtures';

// Which invitation stands is judged by `judgeLineHolder` (see ../rules.test.ts, "who holds a line").
describe('the invitation that lost glare', () => {
  it('is declined busy to its caller, while it still rings, and the devices it rang stop ringing', () => {
    const transition = glareLost(ringingCall(), NOW);
    expect(transition.guard).toEqual({ status: 'initiated' });
    expect(transition.changes).toEqual({
      status: 'declined',
      end_reason: 'busy',
      ended_at: NOW.toISOString(),
      deadline_at: null,
      disconnected_party: null,
    });
    const announced = transition.announce(ringingCall({ status: 'declined' }));
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_declined', ...envelopeFrom(FROM_UNNAMED_CALLEE), reason: 'busy' } },
      { to: ['callee-a', 'callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'cancelled' } },
    ]);
    // The standing invitation's route writes the only routing line.
    expect(announced.line).toBeUndefined();
  });
});
