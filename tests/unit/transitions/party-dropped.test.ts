import { describe, expect, it } from 'vitest';
import { partiesDropped } from '../../../lambdas/core/transitions/party-dropped';
import { answeredCall, asSettled, asWrite, at, envelopeFrom, FROM_CALLEE, FROM_CALLER, NOW, SETTINGS } from '../fixtures';

const grace = SETTINGS.resumeGraceSeconds;
const calleeLost = [{ party: 'callee' as const, connectionId: 'callee-a' }];
const callerLost = [{ party: 'caller' as const, connectionId: 'caller-socket' }];

describe('a party of an answered call dropping', () => {
  it('starts its resume grace, only while the call still has it on the lost socket and nobody else dropped', () => {
    const transition = asWrite(partiesDropped(answeredCall(), calleeLost, NOW, SETTINGS));
    expect(transition.guard).toEqual({ status: 'answered', boundSockets: calleeLost, dropped: 'nobody' });
    expect(transition.changes).toEqual({ disconnected_party: 'callee', deadline_at: at(grace * 1000) });
  });

  it('tells the peer it is reconnecting, from the party that dropped, with the grace', () => {
    const transition = asWrite(partiesDropped(answeredCall(), calleeLost, NOW, SETTINGS));
    const announced = transition.announce(answeredCall({ disconnected_party: 'callee' }));
    expect(announced.sends).toEqual([
      { to: ['caller-socket'], message: { type: 'peer_reconnecting', ...envelopeFrom(FROM_CALLEE), grace_seconds: grace }, counted: true },
    ]);
    expect(announced.line).toEqual({ outcome: 'peer_reconnecting', reason: null });
  });

  it('makes both wait when the second party drops too, and tells the first one’s socket', () => {
    const transition = asWrite(partiesDropped(answeredCall({ disconnected_party: 'callee' }), callerLost, NOW, SETTINGS));
    expect(transition.guard).toMatchObject({ dropped: 'callee' });
    expect(transition.changes).toEqual({ disconnected_party: 'both', deadline_at: at(grace * 1000) });
    expect(transition.announce(answeredCall({ disconnected_party: 'both' })).sends).toEqual([
      { to: ['callee-a'], message: { type: 'peer_reconnecting', ...envelopeFrom(FROM_CALLER), grace_seconds: grace }, counted: true },
    ]);
  });

  it('tells nobody when both are found gone at once', () => {
    const transition = asWrite(partiesDropped(answeredCall(), [...callerLost, ...calleeLost], NOW, SETTINGS));
    expect(transition.changes).toMatchObject({ disconnected_party: 'both' });
    expect(transition.announce(answeredCall({ disconnected_party: 'both' }))).toEqual({
      sends: [],
      line: { outcome: 'peer_reconnecting', reason: null },
    });
  });

  it('writes and says nothing for a drop already known', () => {
    const step = asSettled(partiesDropped(answeredCall({ disconnected_party: 'callee' }), calleeLost, NOW, SETTINGS));
    expect(step.announcement).toEqual({ sends: [] });
    expect(asSettled(partiesDropped(answeredCall(), [], NOW, SETTINGS)).announcement).toEqual({ sends: [] });
  });

  it('found by the liveness check, also guards on the timer that check was due on, and says so', () => {
    const transition = asWrite(
      partiesDropped(answeredCall(), calleeLost, NOW, SETTINGS, { reason: 'not_connected', seenTimer: at(5_000) }),
    );
    expect(transition.guard).toEqual({ status: 'answered', boundSockets: calleeLost, dropped: 'nobody', deadlineAt: at(5_000) });
    expect(transition.announce(answeredCall({ disconnected_party: 'callee' })).line).toEqual({
      outcome: 'peer_reconnecting',
      reason: 'not_connected',
    });
  });
});
