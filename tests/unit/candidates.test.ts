import { describe, expect, it } from 'vitest';
import { forwardCandidates } from '../../lambdas/core/candidates';
import { answeredCall, callee, caller, envelopeFrom, FROM_CALLEE, FROM_CALLER, NOW, ringingCall, stranger } from './fixtures';

const one = { type: 'ice_candidate' as const, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };
const batch = { type: 'ice_candidate' as const, candidates: [{ candidate: 'candidate:1' }, { candidate: '' }] };

describe('candidates', () => {
  it('go to every device the call rings on while it rings', () => {
    const { announcement } = forwardCandidates(ringingCall(), caller, one, NOW);
    expect(announcement).toEqual({
      sends: [
        {
          to: ['callee-a', 'callee-b'],
          message: { type: 'ice_candidate', ...envelopeFrom(FROM_CALLER), candidate: one.candidate },
          counted: true,
        },
      ],
      line: { outcome: 'forwarded', reason: null },
    });
  });

  it('go to the other party of an answered call, whose socket found gone is that party dropped', () => {
    const { announcement } = forwardCandidates(answeredCall(), callee, batch, NOW);
    expect(announcement.sends).toEqual([
      {
        to: ['caller-socket'],
        message: { type: 'ice_candidate', ...envelopeFrom(FROM_CALLEE), candidates: batch.candidates },
        counted: true,
        party: 'caller',
      },
    ]);
  });

  it("are dropped from a socket the call is not bound to: the party's other device after the answer, or one a resume moved away from", () => {
    const otherDevice = { ...callee, connectionId: 'callee-b' };
    expect(forwardCandidates(answeredCall(), otherDevice, one, NOW).announcement).toEqual({
      sends: [],
      line: { outcome: 'dropped', reason: 'not_bound' },
    });
    const callerOldSocket = { ...caller, connectionId: 'caller-old' };
    expect(forwardCandidates(answeredCall(), callerOldSocket, one, NOW).announcement.line).toEqual({
      outcome: 'dropped',
      reason: 'not_bound',
    });
  });

  it('are dropped quietly once the call is over', () => {
    expect(forwardCandidates(answeredCall({ status: 'ended' }), caller, one, NOW).announcement).toEqual({
      sends: [],
      line: { outcome: 'dropped', reason: 'ended' },
    });
    expect(forwardCandidates(ringingCall({ status: 'missed' }), caller, one, NOW).announcement.line).toEqual({
      outcome: 'dropped',
      reason: 'missed',
    });
  });

  it('are refused from anyone outside the call', () => {
    expect(() => forwardCandidates(answeredCall(), stranger, one, NOW)).toThrow(expect.objectContaining({ code: 'not_a_participant' }));
  });
});
