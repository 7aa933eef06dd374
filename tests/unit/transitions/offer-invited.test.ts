import { describe, expect, it } from 'vitest';
import { UNBOUND } from '../../../lambdas/core/model';
import { offerInvited } from '../../../lambdas/core/transitions/offer-invited';
import { caller, envelopeFrom, FROM_CALLER, NOW, ringingCall } from '../fixtures';

const sdp = { type: 'offer' as const, sdp: 'v=0 caller offer' };
/** A call the platform started that `callee-a` accepted: the caller has no socket in it yet. */
const accepted = (overrides = {}) =>
  ringingCall({
    origin: 'platform',
    caller_connection_id: UNBOUND,
    accepted_by: 'callee-a',
    callee_connection_ids: ['callee-a'],
    ...overrides,
  });

describe("the caller's offer into a call the platform started", () => {
  const transition = offerInvited(accepted(), caller, sdp, NOW);

  it('binds the first caller socket to offer: written only while the call rings, unbound, and still accepted by the same socket', () => {
    expect(transition.guard).toEqual({
      status: 'initiated',
      notExpiredAt: NOW.toISOString(),
      callerSocket: 'unbound',
      acceptedBy: 'callee-a',
    });
    expect(transition.changes).toEqual({
      caller_connection_id: 'caller-socket',
      caller_name: 'John Doe',
      caller_avatar: 'https://example.test/john.png',
      caller_participant_name: 'John Doe',
    });
  });

  it('delivers the offer as the usual invitation to the accepting socket only, logged as a forwarded offer', () => {
    const announced = transition.announce(accepted({ caller_connection_id: 'caller-socket' }));
    expect(announced.sends).toEqual([
      {
        to: ['callee-a'],
        message: {
          type: 'call_invitation',
          ...envelopeFrom(FROM_CALLER),
          call_type: 'video',
          to_profile_id: 'ada',
          to_profile_type: 'tutor',
          offer: sdp,
          expires_at: accepted().expires_at,
        },
        counted: true,
      },
    ]);
    expect(announced.line).toEqual({ outcome: 'forwarded', reason: 'offer' });
  });
});
