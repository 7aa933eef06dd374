import { describe, expect, it } from 'vitest';
import { socketLost } from '../../../lambdas/core/transitions/socket-lost';
import { answeredCall, asSettled, asWrite, callee, caller, NOW, ringingCall, SETTINGS } from '../fixtures';

describe('a socket closing', () => {
  it('cancels the call its caller is ringing from, guarded on that socket', () => {
    const transition = asWrite(socketLost(ringingCall(), caller, NOW, SETTINGS));
    expect(transition.guard).toEqual({ status: 'initiated', boundSockets: [{ party: 'caller', connectionId: 'caller-socket' }] });
    expect(transition.changes).toMatchObject({ status: 'missed', end_reason: 'cancelled' });
  });

  it('is a drop of the party whose socket it was in an answered call', () => {
    const transition = asWrite(socketLost(answeredCall(), callee, NOW, SETTINGS));
    expect(transition.guard).toMatchObject({ boundSockets: [{ party: 'callee', connectionId: 'callee-a' }] });
    expect(transition.changes).toMatchObject({ disconnected_party: 'callee' });
  });

  it('does not concern the call when it was a callee device that only rang', () => {
    expect(asSettled(socketLost(ringingCall(), { ...callee, connectionId: 'callee-b' }, NOW, SETTINGS)).announcement).toEqual({
      sends: [],
    });
  });

  it('does not concern the call when the call moved to another socket of that party', () => {
    const moved = answeredCall({ caller_connection_id: 'caller-new' });
    expect(asSettled(socketLost(moved, caller, NOW, SETTINGS)).announcement).toEqual({ sends: [] });
    expect(asSettled(socketLost(ringingCall(), { ...caller, connectionId: 'caller-other-tab' }, NOW, SETTINGS)).announcement).toEqual({
      sends: [],
    });
  });

  it('does not concern a call that is over', () => {
    expect(asSettled(socketLost(answeredCall({ status: 'ended' }), caller, NOW, SETTINGS)).announcement).toEqual({ sends: [] });
  });
});
