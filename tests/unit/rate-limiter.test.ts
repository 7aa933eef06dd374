import { describe, expect, it } from 'vitest';
import type { GcraStep } from '../../lambdas/core/model';
import { gcraStep, rateClassOf, RateLimiter, type RateLimits, type RateSubject } from '../../lambdas/core/rate-limiter';
import { RefusalNotices } from '../../lambdas/core/refusal-notices';
import { profileKey } from '../../shared/profile';

const LIMITS: RateLimits = {
  socket: {
    offers: { perSecond: 5, burst: 5 },
    lookups: { perSecond: 1, burst: 10 },
    candidates: { perSecond: 20, burst: 40 },
    other: { perSecond: 20, burst: 40 },
  },
  profile: {
    offers: { perSecond: 0.5, burst: 10 },
    lookups: { perSecond: 1, burst: 10 },
    candidates: { perSecond: 20, burst: 40 },
    other: { perSecond: 20, burst: 40 },
  },
};

function limiterAt(start = 0) {
  let nowMs = start;
  const limiter = new RateLimiter(LIMITS, { now: () => new Date(nowMs) });
  const advance = (ms: number): void => {
    nowMs += ms;
  };
  return { limiter, advance };
}

/** Socket `id` of profile `profile` (a profile of its own unless told). */
const socket = (id: string, profile = id): RateSubject => ({ connectionId: id, key: profileKey('student', profile) });

const takeMany = (limiter: RateLimiter, subject: RateSubject, route: string, count: number) =>
  Array.from({ length: count }, () => limiter.tryTake(subject, rateClassOf(route))).filter(Boolean).length;

describe('rate limits in a container', () => {
  it('lets a burst through, then refuses until tokens refill', () => {
    const { limiter, advance } = limiterAt();
    expect(takeMany(limiter, socket('a'), 'call_invitation', 8)).toBe(5);
    advance(200); // 5 per second: one more offer after 200 ms
    expect(takeMany(limiter, socket('a'), 'call_invitation', 3)).toBe(1);
    advance(30_000);
    expect(takeMany(limiter, socket('a'), 'call_invitation', 8)).toBe(5);
  });

  it('keeps each socket and each kind of message on its own budget', () => {
    const { limiter } = limiterAt();
    expect(takeMany(limiter, socket('a'), 'call_invitation', 10)).toBe(5);
    expect(takeMany(limiter, socket('b'), 'call_invitation', 10)).toBe(5);
    expect(takeMany(limiter, socket('a'), 'ice_candidate', 50)).toBe(40);
    expect(takeMany(limiter, socket('a'), 'ping', 50)).toBe(40);
    expect(takeMany(limiter, socket('a'), 'presence_query', 50)).toBe(10);
  });

  it("counts a profile's sockets together: three sockets get no more than the profile's budget", () => {
    const { limiter } = limiterAt();
    const taken = ['a', 'b', 'c'].map((id) => takeMany(limiter, socket(id, 'shared'), 'call_invitation', 5));
    // Each socket could send 5; the profile as a whole gets its burst of 10.
    expect(taken).toEqual([5, 5, 0]);
    expect(takeMany(limiter, socket('d', 'shared'), 'ice_candidate', 50)).toBe(40);
    expect(takeMany(limiter, socket('e', 'shared'), 'ice_candidate', 50)).toBe(0);
  });

  it('counts frames no route took against the shared budget, and lookups against their own', () => {
    const { limiter } = limiterAt();
    expect(takeMany(limiter, socket('a'), '$default', 30)).toBe(30);
    expect(takeMany(limiter, socket('a'), 'ping', 30)).toBe(10);
    expect(takeMany(limiter, socket('a'), 'call_history', 30)).toBe(10);
  });
});

describe('replies to refusals', () => {
  it('answer the first refusal of an episode, and drop the rest until the socket is admitted again', () => {
    const notices = new RefusalNotices(1_000);
    expect(notices.refused('a', 'other', 0)).toBe('tell');
    expect(Array.from({ length: 99 }, (_, i) => notices.refused('a', 'other', 1 + i * 100))).not.toContain('tell');
    notices.admitted('a', 'other');
    expect(notices.refused('a', 'other', 10_000)).toBe('tell');
  });

  it('answer at most one refusal a second, however often the socket is admitted in between', () => {
    const notices = new RefusalNotices(1_000);
    const told = Array.from({ length: 40 }, (_, i) => {
      notices.admitted('a', 'candidates');
      return notices.refused('a', 'candidates', i * 50);
    }).filter((reply) => reply === 'tell');
    // 40 episodes within 1.95 s: told at 0 and at 1000 ms only.
    expect(told).toHaveLength(2);
  });

  it('keep each socket and class apart', () => {
    const notices = new RefusalNotices(1_000);
    expect(notices.refused('a', 'offers', 0)).toBe('tell');
    expect(notices.refused('a', 'lookups', 0)).toBe('tell');
    expect(notices.refused('b', 'offers', 0)).toBe('tell');
    expect(notices.refused('a', 'offers', 0)).toBe('drop');
  });
});

describe('the offer bucket shared by every container (GCRA)', () => {
  /** The two conditional writes of the store's counter, on one value (see `takeRateToken`). */
  function take(tat: number | undefined, step: GcraStep): { admitted: boolean; tat: number | undefined } {
    if (tat === undefined || tat < step.nowMs) return { admitted: true, tat: step.idleTatMs };
    if (tat <= step.latestAdmittedTatMs) return { admitted: true, tat: tat + step.intervalMs };
    return { admitted: false, tat };
  }
  const offers = { perSecond: 5, burst: 5 };

  function burst(count: number, atMs: (index: number) => number, start?: number): boolean[] {
    let tat = start;
    return Array.from({ length: count }, (_, index) => {
      const result = take(tat, gcraStep(offers, atMs(index)));
      tat = result.tat;
      return result.admitted;
    });
  }

  it('admits exactly the burst of 5 of 8 offers at once, at 5 a second', () => {
    expect(burst(8, () => 1_000)).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('admits one more every 200 ms after a burst (the first of them up to the 100 ms jitter tolerance early), and a whole burst again a second later', () => {
    const first = burst(5, () => 1_000);
    expect(first.every(Boolean)).toBe(true);
    // The bucket's theoretical arrival time is now 2,000: one offer fits again from 1,100 on.
    expect(burst(2, () => 1_099, 2_000)).toEqual([false, false]);
    expect(burst(2, () => 1_100, 2_000)).toEqual([true, false]);
    // Then one every 200 ms: tat 2,200 fits from 1,300 on.
    expect(burst(1, () => 1_299, 2_200)).toEqual([false]);
    expect(burst(1, () => 1_300, 2_200)).toEqual([true]);
    expect(burst(6, () => 2_001, 2_000)).toEqual([true, true, true, true, true, false]);
  });

  it('lets a steady 5 a second through for ever', () => {
    expect(burst(50, (index) => 1_000 + index * 200).every(Boolean)).toBe(true);
  });

  it('holds a sender at twice the rate to the burst plus the rate, whatever the tolerance', () => {
    // 10 s of one offer every 100 ms: 5 at once, then 5 a second.
    const admitted = burst(100, (index) => 1_000 + index * 100).filter(Boolean).length;
    expect(admitted).toBeGreaterThanOrEqual(5 + 49);
    expect(admitted).toBeLessThanOrEqual(5 + 50);
  });

  it('gives every offer of a burst its token when the writes land in another order than the offers arrived, up to the tolerance apart', () => {
    // The offer that arrived 100 ms after the others wrote first and started the bucket.
    expect(burst(6, (index) => [1_100, 1_000, 1_030, 1_010, 1_020, 1_000][index]!)).toEqual([true, true, true, true, true, false]);
    // Further apart than the tolerance, the early one's write finds the burst spent, as it would at its landing time.
    expect(burst(5, (index) => [1_101, 1_000, 1_030, 1_010, 1_000][index]!)).toEqual([true, true, true, true, false]);
  });

  it('never gains a token from the tolerance: a burst at one instant is the burst, at any rate', () => {
    for (const rate of [
      { perSecond: 5, burst: 5 },
      { perSecond: 100, burst: 3 },
      { perSecond: 0.001, burst: 10 },
    ]) {
      let tat: number | undefined;
      const admitted = Array.from({ length: rate.burst + 5 }, () => {
        const result = take(tat, gcraStep(rate, 1_000));
        tat = result.tat;
        return result.admitted;
      });
      expect(admitted.filter(Boolean)).toHaveLength(rate.burst);
    }
  });
});

describe('messages handled in another order than they arrived', () => {
  it('still get exactly the burst, counted by arrival', () => {
    const { limiter } = limiterAt(10_000);
    const arrivals = [10_040, 10_000, 10_030, 10_010, 10_020, 10_050, 10_001, 10_002];
    expect(arrivals.filter((at) => limiter.tryTake(socket('a'), 'offers', at))).toHaveLength(5);
  });
});
