import { describe, expect, it } from 'vitest';
import { cancel } from '../../../lambdas/core/transitions/cancel';
import { envelopeFrom, FROM_CALLER, NOW, ringingCall } from '../fixtures';

describe('the caller cancelling a ringing call', () => {
  it('makes the call missed, cancelled, and stops every device that rang', () => {
    const transition = cancel(ringingCall(), NOW);
    expect(transition.guard).toEqual({ status: 'initiated' });
    expect(transition.changes).toEqual({
      status: 'missed',
      end_reason: 'cancelled',
      ended_at: NOW.toISOString(),
      deadline_at: null,
      disconnected_party: null,
    });
    const announced = transition.announce(ringingCall({ status: 'missed' }));
    expect(announced.sends).toEqual([
      { to: ['callee-a', 'callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'cancelled' }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'missed', reason: 'cancelled' });
  });

  it('by losing its socket applies only while the call is still on that socket', () => {
    expect(cancel(ringingCall(), NOW, 'caller-socket').guard).toEqual({
      status: 'initiated',
      boundSockets: [{ party: 'caller', connectionId: 'caller-socket' }],
    });
  });

  it('tells the devices the call rings on as written, not as it was read', () => {
    const announced = cancel(ringingCall(), NOW).announce(ringingCall({ status: 'missed', callee_connection_ids: ['callee-b'] }));
    expect(announced.sends[0]?.to).toEqual(['callee-b']);
  });
});
