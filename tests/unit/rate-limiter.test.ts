import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../lambdas/core/rate-limiter';

function limiterAt(start = 0) {
  let nowMs = start;
  const limiter = new RateLimiter(
    { offers: { perSecond: 5, burst: 5 }, candidates: { perSecond: 20, burst: 40 }, other: { perSecond: 20, burst: 40 } },
    { now: () => new Date(nowMs) },
  );
  return { limiter, advance: (ms: number) => void (nowMs += ms) };
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
