import { describe, expect, it } from 'vitest';
import { forwardCandidates } from '../../lambdas/core/candidates';
import { answeredCall, callee, caller, envelopeFrom, FROM_CALLEE, FROM_CALLER, NOW, ringingCall, stranger } from './fixtures';

const one = { type: 'ice_candidate' as const, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };
const batch = {
  type: 'ice_candidate' as const,
  candidates: [{ candidate: 'candidate:1' }, { candidate: 'candidate:2' }, { candidate: '' }],
};
const NO_BATCH_READERS: ReadonlySet<string> = new Set();

describe('candidates', () => {
  it('go to every device the call rings on while it rings', () => {
    const { announcement } = forwardCandidates(ringingCall(), caller, one, NOW, NO_BATCH_READERS);
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
    const { announcement } = forwardCandidates(answeredCall(), callee, batch, NOW, new Set(['caller-socket']));
    expect(announcement.sends).toEqual([
      {
        to: ['caller-socket'],
        message: { type: 'ice_candidate', ...envelopeFrom(FROM_CALLEE), candidates: batch.candidates },
        counted: true,
        party: 'caller',
      },
    ]);
  });

  it('reach a socket that did not declare batches one seed-format message per candidate, the end marker last', () => {
    const { announcement } = forwardCandidates(answeredCall(), callee, batch, NOW, NO_BATCH_READERS);
    expect(announcement.sends.map((send) => send.message)).toEqual(
      batch.candidates.map((candidate) => ({ type: 'ice_candidate', ...envelopeFrom(FROM_CALLEE), candidate })),
    );
    expect(announcement.sends.every((send) => send.to.join() === 'caller-socket')).toBe(true);
    // One routing line's count, and one gone socket found, per batch: only the first message counts.
    expect(announcement.sends.map((send) => send.counted === true)).toEqual([true, false, false]);
    expect(announcement.sends[0]).toMatchObject({ party: 'caller' });
  });

  it('while ringing, go as a batch to devices that read batches and split to those that do not', () => {
    const { announcement } = forwardCandidates(ringingCall(), caller, batch, NOW, new Set(['callee-a']));
    expect(announcement.sends[0]).toEqual({
      to: ['callee-a'],
      message: { type: 'ice_candidate', ...envelopeFrom(FROM_CALLER), candidates: batch.candidates },
      counted: true,
    });
    expect(announcement.sends.slice(1)).toEqual(
      batch.candidates.map((candidate, index) => ({
        to: ['callee-b'],
        message: { type: 'ice_candidate', ...envelopeFrom(FROM_CALLER), candidate },
        ...(index === 0 ? { counted: true } : {}),
      })),
    );
  });

  it('in the single form reach every socket as sent, whatever it declared', () => {
    const { announcement } = forwardCandidates(ringingCall(), caller, one, NOW, new Set(['callee-a']));
    expect(announcement.sends).toHaveLength(1);
    expect(announcement.sends[0]?.to).toEqual(['callee-a', 'callee-b']);
  });

  it("are dropped from a socket the call is not bound to: the party's other device after the answer, or one a resume moved away from", () => {
    const otherDevice = { ...callee, connectionId: 'callee-b' };
    expect(forwardCandidates(answeredCall(), otherDevice, one, NOW, NO_BATCH_READERS).announcement).toEqual({
      sends: [],
      line: { outcome: 'dropped', reason: 'not_bound' },
    });
    const callerOldSocket = { ...caller, connectionId: 'caller-old' };
    expect(forwardCandidates(answeredCall(), callerOldSocket, one, NOW, NO_BATCH_READERS).announcement.line).toEqual({
      outcome: 'dropped',
      reason: 'not_bound',
    });
  });

  it('are dropped quietly once the call is over', () => {
    expect(forwardCandidates(answeredCall({ status: 'ended' }), caller, one, NOW, NO_BATCH_READERS).announcement).toEqual({
      sends: [],
      line: { outcome: 'dropped', reason: 'ended' },
    });
    expect(forwardCandidates(ringingCall({ status: 'missed' }), caller, one, NOW, NO_BATCH_READERS).announcement.line).toEqual({
      outcome: 'dropped',
      reason: 'missed',
    });
  });

  it('are refused from anyone outside the call', () => {
    expect(() => forwardCandidates(answeredCall(), stranger, one, NOW, NO_BATCH_READERS)).toThrow(
      expect.objectContaining({ code: 'not_a_participant' }),
    );
  });
});
