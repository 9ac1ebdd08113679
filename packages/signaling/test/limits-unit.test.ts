// Pure units behind the limits, driven by a fake clock (counts only, no wall time).
import { describe, expect, it } from 'vitest';
import { InvalidSignalingOptionError, resolveOptions } from '../src/options';
import { exceedsPayloadLimit } from '../src/payload-size';
import { SocketRateLimiter, type RateVerdict } from '../src/rate-limiter';

function limiterWithClock(config: { ratePerSecond: number; burst: number; abuseFactor: number; abuseWindowMs: number }) {
  const clock = { now: 0 };
  const limiter = new SocketRateLimiter(config, () => clock.now);
  const takeMany = (n: number): Record<RateVerdict, number> => {
    const counts: Record<RateVerdict, number> = { accept: 0, drop: 0, abuse: 0 };
    for (let i = 0; i < n; i++) counts[limiter.take()] += 1;
    return counts;
  };
  return { clock, takeMany };
}

describe('SocketRateLimiter', () => {
  it('accepts a burst, then refills at the configured rate', () => {
    const { clock, takeMany } = limiterWithClock({ ratePerSecond: 10, burst: 20, abuseFactor: 100, abuseWindowMs: 2000 });
    expect(takeMany(25)).toEqual({ accept: 20, drop: 5, abuse: 0 });
    clock.now += 500; // +5 tokens
    expect(takeMany(10)).toEqual({ accept: 5, drop: 5, abuse: 0 });
    clock.now += 60_000; // refill is capped at the burst size
    expect(takeMany(30)).toEqual({ accept: 20, drop: 10, abuse: 0 });
  });

  it('a client at its steady rate is never flagged', () => {
    const { clock, takeMany } = limiterWithClock({ ratePerSecond: 50, burst: 100, abuseFactor: 5, abuseWindowMs: 2000 });
    for (let second = 0; second < 30; second++) {
      expect(takeMany(50)).toEqual({ accept: 50, drop: 0, abuse: 0 });
      clock.now += 1000;
    }
  });

  it('flags sustained traffic above factor x rate over the window, also across window edges', () => {
    const config = { ratePerSecond: 50, burst: 100, abuseFactor: 5, abuseWindowMs: 2000 }; // threshold 500
    const within = limiterWithClock(config);
    expect(within.takeMany(500).abuse).toBe(0);
    expect(within.takeMany(1).abuse).toBe(1);

    // 400 at the end of one window, 400 at the start of the next: 800 within ~2 s.
    const straddling = limiterWithClock(config);
    straddling.clock.now = 1900;
    expect(straddling.takeMany(400).abuse).toBe(0);
    straddling.clock.now = 2100;
    expect(straddling.takeMany(400).abuse).toBeGreaterThan(0);
  });
});

describe('exceedsPayloadLimit', () => {
  it('measures strings in UTF-8 bytes, binary by byteLength, and stops at the limit', () => {
    expect(exceedsPayloadLimit({ sdp: 'a'.repeat(900) }, 1000)).toBe(false);
    expect(exceedsPayloadLimit({ sdp: 'a'.repeat(1100) }, 1000)).toBe(true);
    expect(exceedsPayloadLimit({ sdp: '€'.repeat(400) }, 1000)).toBe(true); // 1200 bytes in UTF-8
    expect(exceedsPayloadLimit([new Uint8Array(2000)], 1000)).toBe(true);
    expect(exceedsPayloadLimit(Array.from({ length: 300 }, () => ({ c: 1 })), 1000)).toBe(true);
    expect(exceedsPayloadLimit([{ to: 'bob', data: { candidate: 'x' } }, () => undefined], 1000)).toBe(false);
  });

  it('treats nesting deeper than 32 levels as too large', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(exceedsPayloadLimit(deep, 1_000_000)).toBe(true);
  });
});

describe('resolveOptions', () => {
  it('defaults the Redis presence timeout and rejects non-positive values', () => {
    expect(resolveOptions({ redisUrl: null }).presenceTimeoutMs).toBe(5000);
    expect(resolveOptions({ redisUrl: null, presenceTimeoutMs: 250 }).presenceTimeoutMs).toBe(250);
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => resolveOptions({ presenceTimeoutMs: bad })).toThrow(InvalidSignalingOptionError);
    }
  });
});
