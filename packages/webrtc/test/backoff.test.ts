import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff';

describe('Backoff', () => {
  it('doubles from min up to max, jittered into [50%, 100%], and resets', () => {
    const top = new Backoff({ minMs: 100, maxMs: 1000 }, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    top.reset();
    expect(top.next()).toBe(100);
    const bottom = new Backoff({ minMs: 100, maxMs: 1000 }, () => 0);
    expect([bottom.next(), bottom.next()]).toEqual([50, 100]);
  });

  it('rejects nonsense bounds', () => {
    expect(() => new Backoff({ minMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ minMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
