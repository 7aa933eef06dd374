import { describe, expect, it } from 'vitest';
import { staleTimer } from '../../../lambdas/core/transitions/stale-timer';
import { at, ringingCall } from '../fixtures';

describe('a timer left on a call that needs none', () => {
  it('is removed, if nothing moved it meanwhile, and nobody is told', () => {
    const over = ringingCall({ status: 'declined', deadline_at: at(-1_000) });
    const transition = staleTimer(over);
    expect(transition.guard).toEqual({ status: 'declined', deadlineAt: at(-1_000) });
    expect(transition.changes).toEqual({ deadline_at: null });
    expect(transition.announce(over)).toEqual({ sends: [] });
  });
});
