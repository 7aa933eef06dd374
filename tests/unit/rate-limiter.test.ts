import { describe, expect, it } from 'vitest';
import type { GcraStep } from '../../lambdas/core/model';
import { gcraStep, RateLimiter } from '../../lambdas/core/rate-limiter';

function limiterAt(start = 0) {
  let nowMs = start;
  const limiter = new RateLimiter(
    { offers: { perSecond: 5, burst: 5 }, candidates: { perSecond: 20, burst: 40 }, other: { perSecond: 20, burst: 40 } },
    { now: () => new Date(nowMs) },
  );
  const advance = (ms: number): void => {
    nowMs += ms;
  };
  return { limiter, advance };
}

const takeMany = (limiter: RateLimiter, socket: string, route: string, count: number) =>
  Array.from({ length: count }, () => limiter.tryTake(socket, route)).filter(Boolean).length;

describe('per-socket rate limits', () => {
  it('lets a burst through, then refuses until tokens refill', () => {
    const { limiter, advance } = limiterAt();
    expect(takeMany(limiter, 'a', 'call_invitation', 8)).toBe(5);
    advance(200); // 5 per second: one more offer after 200 ms
    expect(takeMany(limiter, 'a', 'call_invitation', 3)).toBe(1);
    advance(10_000);
    expect(takeMany(limiter, 'a', 'call_invitation', 8)).toBe(5);
  });

  it('keeps each socket and each kind of message on its own budget', () => {
    const { limiter } = limiterAt();
    expect(takeMany(limiter, 'a', 'call_invitation', 10)).toBe(5);
    expect(takeMany(limiter, 'b', 'call_invitation', 10)).toBe(5);
    expect(takeMany(limiter, 'a', 'ice_candidate', 50)).toBe(40);
    expect(takeMany(limiter, 'a', 'ping', 50)).toBe(40);
  });

  it('counts frames no route took against the shared budget', () => {
    const { limiter } = limiterAt();
    expect(takeMany(limiter, 'a', '$default', 30)).toBe(30);
    expect(takeMany(limiter, 'a', 'presence_query', 30)).toBe(10);
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

  it('admits one more every 200 ms after a burst, and a whole burst again a second later', () => {
    const first = burst(5, () => 1_000);
    expect(first.every(Boolean)).toBe(true);
    // The bucket's theoretical arrival time is now 2,000: one offer fits again from 1,200 on.
    expect(burst(2, () => 1_199, 2_000)).toEqual([false, false]);
    expect(burst(2, () => 1_200, 2_000)).toEqual([true, false]);
    expect(burst(6, () => 2_001, 2_000)).toEqual([true, true, true, true, true, false]);
  });

  it('lets a steady 5 a second through for ever', () => {
    expect(burst(50, (index) => 1_000 + index * 200).every(Boolean)).toBe(true);
  });
});

describe('messages handled in another order than they arrived', () => {
  it('still get exactly the burst, counted by arrival', () => {
    const { limiter } = limiterAt(10_000);
    const arrivals = [10_040, 10_000, 10_030, 10_010, 10_020, 10_050, 10_001, 10_002];
    expect(arrivals.filter((at) => limiter.tryTake('a', 'call_invitation', at))).toHaveLength(5);
  });
});
