// Pure units behind the limits, driven by a fake clock (counts only, no wall time).
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../src/client-address';
import { ConnectionCounter } from '../src/connection-limits';
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

  it('counts the escapes JSON adds to strings and keys: control characters, quotes, backslashes', () => {
    // 200 control characters: 200 bytes in UTF-8, up to 1,200 as JSON ("\u0001" each).
    expect(exceedsPayloadLimit({ data: '\u0001'.repeat(200) }, 1000)).toBe(true);
    expect(exceedsPayloadLimit({ data: '"'.repeat(600) }, 1000)).toBe(true);
    expect(exceedsPayloadLimit({ ['\\'.repeat(600)]: 1 }, 1000)).toBe(true);
    expect(exceedsPayloadLimit({ data: '\u0001'.repeat(150) }, 1000)).toBe(false);
    // The estimate is never below what socket.io puts on the wire for the payload.
    const loneSurrogates = '\ud800x\udfff'.repeat(60);
    const pairs = '😀'.repeat(100);
    for (const data of ['\u0001\u001f"\\x'.repeat(50), '€"\n'.repeat(90), 'v=0\r\na=x\t\b\f\u000b'.repeat(40), loneSurrogates, pairs]) {
      const wire = Buffer.byteLength(JSON.stringify({ data }));
      expect(exceedsPayloadLimit({ data }, wire - 1), data.slice(0, 10)).toBe(true);
      // ... and not far above it: an SDP's line breaks cost two bytes each, not six.
      expect(exceedsPayloadLimit({ data }, wire + 16), data.slice(0, 10)).toBe(false);
    }
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

describe('resolveOptions: connection and output limits', () => {
  it('has documented defaults', () => {
    expect(resolveOptions({ redisUrl: null })).toMatchObject({
      maxOutboundBufferBytes: 8 * 64 * 1024,
      maxConnections: 2000,
      maxConnectionsPerIp: 50,
      trustProxy: false,
      presenceTtlMs: 15_000,
    });
    // The output cap follows the payload limit unless set.
    expect(resolveOptions({ redisUrl: null, maxPayloadBytes: 1000 }).maxOutboundBufferBytes).toBe(8000);
  });

  it('rejects an output cap below two largest messages, and fractional or non-positive caps', () => {
    expect(() => resolveOptions({ maxPayloadBytes: 1000, maxOutboundBufferBytes: 1999 })).toThrow(InvalidSignalingOptionError);
    expect(resolveOptions({ redisUrl: null, maxPayloadBytes: 1000, maxOutboundBufferBytes: 2000 }).maxOutboundBufferBytes).toBe(2000);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => resolveOptions({ maxConnections: bad })).toThrow(InvalidSignalingOptionError);
      expect(() => resolveOptions({ maxConnectionsPerIp: bad })).toThrow(InvalidSignalingOptionError);
      expect(() => resolveOptions({ maxPeersPerRoom: bad })).toThrow(InvalidSignalingOptionError);
      expect(() => resolveOptions({ redisQueueMaxCommands: bad })).toThrow(InvalidSignalingOptionError);
    }
    expect(() => resolveOptions({ presenceTtlMs: 0 })).toThrow(InvalidSignalingOptionError);
  });
});

describe('normalizeAddress', () => {
  it('keeps IPv4 as is, unwraps IPv4-mapped IPv6, and groups IPv6 by /64', () => {
    expect(normalizeAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeAddress('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(normalizeAddress('2001:0DB8:0000:0001:ffff:0:0:2')).toBe('2001:db8:0:1::/64');
    expect(normalizeAddress('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(normalizeAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(normalizeAddress('Not-An-IP')).toBe('not-an-ip');
  });

  it("drops the source port some proxies write into X-Forwarded-For ('ip:port', '[v6]:port')", () => {
    expect(normalizeAddress('203.0.113.7:40000')).toBe('203.0.113.7');
    expect(normalizeAddress(' 203.0.113.7:40001 ')).toBe('203.0.113.7');
    expect(normalizeAddress('[2001:db8:0:1::1]:40000')).toBe('2001:db8:0:1::/64');
    expect(normalizeAddress('[2001:db8:0:1::2]')).toBe('2001:db8:0:1::/64');
  });
});

describe('ConnectionCounter', () => {
  it('reports the per-address cap before the global one, and forgets closed connections', () => {
    const limits = { maxConnections: 3, maxConnectionsPerIp: 2, trustProxy: false };
    const counter = new ConnectionCounter();
    counter.open('a');
    counter.open('a');
    expect(counter.exceeded('a', limits)).toBeNull();
    counter.open('a');
    expect(counter.exceeded('a', limits)).toBe('per-ip');
    counter.open('b');
    expect(counter.exceeded('b', limits)).toBe('global');
    expect(counter.exceeded('a', limits, 2)).toBeNull(); // the handshake backstop allows twice the caps
    for (const address of ['a', 'a', 'a', 'b']) counter.close(address);
    expect(counter.total).toBe(0);
    expect(counter.count('a')).toBe(0);
  });
});
