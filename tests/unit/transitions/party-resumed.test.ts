import { describe, expect, it } from 'vitest';
import type { Sender } from '../../../lambdas/core/model';
import { resume } from '../../../lambdas/core/transitions/party-resumed';
import {
  answeredCall,
  asSettled,
  asWrite,
  at,
  callee,
  caller,
  envelopeFrom,
  FROM_CALLEE,
  FROM_CALLER,
  NOW,
  ringingCall,
  SETTINGS,
  stranger,
} from '../fixtures';

const calleeBack: Sender = { ...callee, connectionId: 'callee-new' };
const callerBack: Sender = { ...caller, connectionId: 'caller-new' };

describe('a dropped party resuming', () => {
  it('re-binds its new socket, ends the wait and makes the next liveness check due', () => {
    const transition = asWrite(resume(answeredCall({ disconnected_party: 'callee' }), calleeBack, NOW, SETTINGS));
    expect(transition.guard).toEqual({ status: 'answered', dropped: 'callee' });
    expect(transition.changes).toEqual({
      callee_connection_ids: ['callee-new'],
      disconnected_party: null,
      deadline_at: at(SETTINGS.livenessCheckSeconds * 1000),
    });
  });

  it('takes over from a party still there only while it is bound to the socket read, so one of two devices resuming at once wins', () => {
    const transition = asWrite(resume(answeredCall(), calleeBack, NOW, SETTINGS));
    expect(transition.guard).toEqual({
      status: 'answered',
      dropped: 'nobody',
      boundSockets: [{ party: 'callee', connectionId: answeredCall().callee_connection_ids[0] }],
    });
  });

  it('tells both parties, from the resumer, on the sockets the call has now', () => {
    const transition = asWrite(resume(answeredCall({ disconnected_party: 'callee' }), calleeBack, NOW, SETTINGS));
    const announced = transition.announce(answeredCall({ callee_connection_ids: ['callee-new'] }));
    expect(announced.sends).toEqual([
      { to: ['callee-new', 'caller-socket'], message: { type: 'call_resumed', ...envelopeFrom(FROM_CALLEE) }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'resumed', reason: null });
  });

  it('leaves the peer waiting when both had dropped, and tells the resumer the grace left after call_resumed', () => {
    const transition = asWrite(resume(answeredCall({ disconnected_party: 'both' }), callerBack, NOW, SETTINGS));
    expect(transition.guard).toEqual({ status: 'answered', dropped: 'both' });
    expect(transition.changes).toEqual({ caller_connection_id: 'caller-new', disconnected_party: 'callee' });
    const announced = transition.announce(
      answeredCall({ caller_connection_id: 'caller-new', disconnected_party: 'callee', deadline_at: at(42_400) }),
    );
    expect(announced.sends).toEqual([
      { to: ['caller-new', 'callee-a'], message: { type: 'call_resumed', ...envelopeFrom(FROM_CALLER) }, counted: true },
      { to: ['caller-new'], message: { type: 'peer_reconnecting', ...envelopeFrom(FROM_CALLEE), grace_seconds: 42 } },
    ]);
  });

  it('counts a grace already run out as none left', () => {
    const transition = asWrite(resume(answeredCall({ disconnected_party: 'both' }), callerBack, NOW, SETTINGS));
    const announced = transition.announce(
      answeredCall({ caller_connection_id: 'caller-new', disconnected_party: 'callee', deadline_at: at(-3_000) }),
    );
    expect(announced.sends[1]?.message).toMatchObject({ type: 'peer_reconnecting', grace_seconds: 0 });
  });
});

describe('a party moving its call to a new socket', () => {
  it('re-binds only, while nobody has dropped', () => {
    const transition = asWrite(resume(answeredCall(), callerBack, NOW, SETTINGS));
    expect(transition.guard).toEqual({
      status: 'answered',
      dropped: 'nobody',
      boundSockets: [{ party: 'caller', connectionId: 'caller-socket' }],
    });
    expect(transition.changes).toEqual({ caller_connection_id: 'caller-new' });
  });

  it('tells the socket it moved from that the call continued elsewhere, from the mover, after call_resumed', () => {
    const transition = asWrite(resume(answeredCall(), callerBack, NOW, SETTINGS));
    expect(transition.announce(answeredCall({ caller_connection_id: 'caller-new' })).sends).toEqual([
      { to: ['caller-new', 'callee-a'], message: { type: 'call_resumed', ...envelopeFrom(FROM_CALLER) }, counted: true },
      { to: ['caller-socket'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'resumed_elsewhere' } },
    ]);
  });

  it('tells a callee device that answered that another of its devices took the call over', () => {
    const transition = asWrite(resume(answeredCall(), calleeBack, NOW, SETTINGS));
    const announced = transition.announce(answeredCall({ callee_connection_ids: ['callee-new'] }));
    expect(announced.sends[1]).toEqual({
      to: ['callee-a'],
      message: { type: 'call_ended', ...envelopeFrom(FROM_CALLEE), reason: 'resumed_elsewhere' },
    });
  });

  it('tells no previous socket when the resumer had dropped (that socket is gone) or resumes on the socket the call has', () => {
    const dropped = asWrite(resume(answeredCall({ disconnected_party: 'callee' }), calleeBack, NOW, SETTINGS));
    expect(dropped.announce(answeredCall({ callee_connection_ids: ['callee-new'] })).sends.map((send) => send.message.type)).toEqual([
      'call_resumed',
    ]);
    const same = asWrite(resume(answeredCall(), caller, NOW, SETTINGS));
    expect(same.announce(answeredCall()).sends.map((send) => send.message.type)).toEqual(['call_resumed']);
  });

  it('keeps the peer’s wait as it is, and tells the mover the peer is still away', () => {
    const transition = asWrite(resume(answeredCall({ disconnected_party: 'callee' }), callerBack, NOW, SETTINGS));
    expect(transition.guard).toEqual({
      status: 'answered',
      dropped: 'callee',
      boundSockets: [{ party: 'caller', connectionId: 'caller-socket' }],
    });
    expect(transition.changes).toEqual({ caller_connection_id: 'caller-new' });
    const announced = transition.announce(
      answeredCall({ caller_connection_id: 'caller-new', disconnected_party: 'callee', deadline_at: at(10_000) }),
    );
    expect(announced.sends.map((send) => send.message.type)).toEqual(['call_resumed', 'call_ended', 'peer_reconnecting']);
    expect(announced.sends[2]).toEqual({
      to: ['caller-new'],
      message: { type: 'peer_reconnecting', ...envelopeFrom(FROM_CALLEE), grace_seconds: 10 },
    });
  });
});

describe('resuming a call that is not answered', () => {
  it('tells a resumer who missed a hang-up how the call ended, from the peer, and writes nothing', () => {
    const step = asSettled(resume(answeredCall({ status: 'ended', end_reason: 'hangup' }), calleeBack, NOW, SETTINGS));
    expect(step.announcement).toEqual({
      sends: [{ to: ['callee-new'], message: { type: 'call_ended', ...envelopeFrom(FROM_CALLER), reason: 'hangup' }, counted: true }],
      line: { outcome: 'ignored', reason: 'already_final' },
    });
  });

  it('tells one whose call ended while it was away that it ended disconnected', () => {
    const step = asSettled(resume(answeredCall({ status: 'ended', end_reason: 'disconnected' }), callerBack, NOW, SETTINGS));
    expect(step.announcement.sends[0]?.message).toMatchObject({ type: 'call_ended', reason: 'disconnected', from_profile_id: 'ada' });
  });

  it('finds no call to resume before the answer or after a decline', () => {
    expect(() => resume(ringingCall(), calleeBack, NOW, SETTINGS)).toThrow(expect.objectContaining({ code: 'call_not_found' }));
    expect(() => resume(ringingCall({ status: 'declined' }), calleeBack, NOW, SETTINGS)).toThrow(
      expect.objectContaining({ code: 'call_not_found' }),
    );
  });

  it('is refused to anyone outside the call', () => {
    expect(() => resume(answeredCall(), stranger, NOW, SETTINGS)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });
});
