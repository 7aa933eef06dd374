import { describe, expect, it } from 'vitest';
import type { Sender } from '../../../lambdas/core/model';
import { resumeRinging } from '../../../lambdas/core/transitions/ringing-resumed';
import {
  answeredCall,
  asSettled,
  asWrite,
  callee,
  caller,
  envelopeFrom,
  FROM_CALLEE,
  FROM_CALLER,
  FROM_UNNAMED_CALLEE,
  NOW,
  ringingCall,
} from '../fixtures';

const calleeBack: Sender = { ...callee, connectionId: 'callee-new' };
const FROM_RESUMER = { id: 'ada', type: 'tutor', name: 'Ada Tutor', avatar: null };

describe('a ringing callee device back on a new socket', () => {
  it('is appended to the ringing sockets while the call still rings, and told so', () => {
    const transition = asWrite(resumeRinging(ringingCall(), calleeBack, NOW, false));
    expect(transition.guard).toEqual({ status: 'initiated', calleeSocketAbsent: 'callee-new', acceptedBy: null });
    expect(transition.changes).toEqual({ callee_connection_added: 'callee-new' });
    const announced = transition.announce(ringingCall({ callee_connection_ids: ['callee-a', 'callee-b', 'callee-new'] }));
    expect(announced.sends).toEqual([
      { to: ['callee-new'], message: { type: 'call_resumed', ...envelopeFrom(FROM_RESUMER) }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'resumed', reason: null });
  });

  it('writes nothing for a socket already ringing', () => {
    const settled = asSettled(resumeRinging(ringingCall(), callee, NOW, false));
    expect(settled.announcement.sends.map((send) => send.message.type)).toEqual(['call_resumed']);
  });

  it('cancels the call when the caller’s socket is gone, on that socket only, and tells the resumer too', () => {
    const transition = asWrite(resumeRinging(ringingCall(), calleeBack, NOW, true));
    expect(transition.guard).toEqual({ status: 'initiated', boundSockets: [{ party: 'caller', connectionId: caller.connectionId }] });
    expect(transition.changes).toMatchObject({ status: 'missed', end_reason: 'cancelled' });
    const announced = transition.announce(ringingCall({ status: 'missed', end_reason: 'cancelled' }));
    const cancelled = { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'cancelled' };
    expect(announced.sends).toEqual([
      { to: ['callee-a', 'callee-b'], message: cancelled, counted: true },
      { to: ['callee-new'], message: cancelled },
    ]);
    expect(announced.line).toEqual({ outcome: 'missed', reason: 'cancelled' });
  });

  it.each([
    ['cancelled by the caller', ringingCall({ status: 'missed', end_reason: 'cancelled' }), 'cancelled', FROM_CALLER],
    ['rang out', ringingCall({ status: 'missed', end_reason: 'timeout' }), 'timeout', FROM_CALLER],
    ['declined on another device', ringingCall({ status: 'declined', end_reason: 'rejected' }), 'declined_elsewhere', FROM_UNNAMED_CALLEE],
    ['declined by the server (glare lost)', ringingCall({ status: 'declined', end_reason: 'busy' }), 'cancelled', FROM_CALLER],
    ['answered on another device', answeredCall(), 'answered_elsewhere', FROM_CALLEE],
    ['answered elsewhere and over', answeredCall({ status: 'ended', end_reason: 'hangup' }), 'answered_elsewhere', FROM_CALLEE],
  ])('is told how a call that is over ended (%s), and nothing changes', (_, call, reason, from) => {
    const settled = asSettled(resumeRinging(call, calleeBack, NOW, false));
    expect(settled.announcement.sends).toEqual([
      { to: ['callee-new'], message: { type: 'call_ended', ...envelopeFrom(from), reason }, counted: true },
    ]);
    expect(settled.announcement.line).toEqual({ outcome: 'ignored', reason: 'already_final' });
  });

  it('hears answered elsewhere for a platform call another device of the callee accepted', () => {
    const settled = asSettled(resumeRinging(ringingCall({ accepted_by: 'callee-b' }), calleeBack, NOW, false));
    expect(settled.announcement.sends[0]?.message).toMatchObject({ type: 'call_ended', reason: 'answered_elsewhere' });
  });
});
