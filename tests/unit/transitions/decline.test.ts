import { describe, expect, it } from 'vitest';
import { UNBOUND } from '../../../lambdas/core/model';
import { decline, declineForCallee } from '../../../lambdas/core/transitions/decline';
import {
  answeredCall,
  CALL_ID,
  callee,
  caller,
  envelopeFrom,
  FROM_CALLEE,
  FROM_CALLER,
  FROM_UNNAMED_CALLEE,
  NOW,
  ringingCall,
  stranger,
} from '../fixtures';

describe('the callee declining', () => {
  const transition = decline(ringingCall(), callee, 'rejected', NOW);

  it('is written only while the call rings (and nobody accepted it meanwhile), and ends it declined with the decliner named', () => {
    expect(transition.guard).toEqual({ status: 'initiated', acceptedBy: null });
    expect(transition.changes).toEqual({
      status: 'declined',
      end_reason: 'rejected',
      ended_at: NOW.toISOString(),
      callee_name: 'Ada Tutor',
      callee_avatar: null,
      callee_participant_name: 'Ada Tutor',
      deadline_at: null,
      disconnected_party: null,
    });
  });

  it('tells the caller, from the decliner, and the callee’s other devices that it was declined elsewhere', () => {
    const declined = ringingCall({ status: 'declined', callee_name: 'Ada Tutor' });
    const announced = transition.announce(declined);
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_declined', ...envelopeFrom(FROM_CALLEE), reason: 'rejected' }, counted: true },
      { to: ['callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'declined_elsewhere' } },
    ]);
    expect(announced.line).toEqual({ outcome: 'declined', reason: 'rejected' });
  });

  it('says busy when the callee says so', () => {
    const busy = decline(ringingCall(), callee, 'busy', NOW);
    expect(busy.changes).toMatchObject({ end_reason: 'busy' });
    expect(busy.announce(ringingCall()).sends[0]?.message).toMatchObject({ type: 'call_declined', reason: 'busy' });
  });

  it('is forbidden to the caller, refused to outsiders, and not ringing after the answer', () => {
    expect(() => decline(ringingCall(), caller, 'rejected', NOW)).toThrow(expect.objectContaining({ code: 'forbidden', callId: CALL_ID }));
    expect(() => decline(ringingCall(), stranger, 'rejected', NOW)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
    expect(() => decline(answeredCall(), callee, 'rejected', NOW)).toThrow(expect.objectContaining({ code: 'call_not_ringing' }));
  });
});

describe('declining a call the platform started', () => {
  const invited = (overrides = {}) => ringingCall({ origin: 'platform', caller_connection_id: UNBOUND, ...overrides });

  it('tells every socket of the caller while the caller has none in the call', () => {
    const declined = invited({ status: 'declined', callee_name: 'Ada Tutor' });
    const [toCaller] = decline(invited(), callee, 'rejected', NOW).announce(declined).sends;
    expect(toCaller).toMatchObject({ to: [], toProfile: caller.key, message: { type: 'call_declined', reason: 'rejected' } });
  });

  it('once accepted, is declined only from the socket that accepted it, guarded on that', () => {
    const accepted = invited({ accepted_by: 'callee-a', callee_connection_ids: ['callee-a'] });
    expect(decline(accepted, callee, 'rejected', NOW).guard).toEqual({ status: 'initiated', acceptedBy: 'callee-a' });
    const otherDevice = { ...callee, connectionId: 'callee-b' };
    expect(() => decline(accepted, otherDevice, 'rejected', NOW)).toThrow(expect.objectContaining({ code: 'call_not_ringing' }));
  });
});

describe('the server declining for the callee', () => {
  it('tells only the caller when the invitation reached no socket (offline)', () => {
    const transition = declineForCallee(ringingCall(), 'offline', NOW, false);
    expect(transition.guard).toEqual({ status: 'initiated' });
    expect(transition.changes).toEqual({
      status: 'declined',
      end_reason: 'offline',
      ended_at: NOW.toISOString(),
      deadline_at: null,
      disconnected_party: null,
    });
    const announced = transition.announce(ringingCall({ status: 'declined' }));
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_declined', ...envelopeFrom(FROM_UNNAMED_CALLEE), reason: 'offline' } },
    ]);
    expect(announced.line).toBeUndefined();
  });

  it('also stops the devices it rang when it lost glare (busy)', () => {
    const announced = declineForCallee(ringingCall(), 'busy', NOW, true).announce(ringingCall({ status: 'declined' }));
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'call_declined', ...envelopeFrom(FROM_UNNAMED_CALLEE), reason: 'busy' } },
      { to: ['callee-a', 'callee-b'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'cancelled' } },
    ]);
  });
});
