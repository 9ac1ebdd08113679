import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkKvHistory, type HistoryOp } from '../src/lin-checker';
import { stepRegister, type KvInput, type KvOutput } from '../src/kv-model';

let nextId = 0;
function op(clientId: string, input: KvInput, call: number, ret: number | null, output: KvOutput | null): HistoryOp {
  return { id: nextId++, clientId, input, call, ret, output };
}
const put = (key: string, value: string): KvInput => ({ kind: 'put', key, value });
const get = (key: string): KvInput => ({ kind: 'get', key });
const cas = (key: string, expected: string | null, value: string): KvInput => ({ kind: 'cas', key, expected, value });
const ok: KvOutput = { kind: 'put' };
const read = (value: string | null): KvOutput => ({ kind: 'get', value });
const swapped = (s: boolean): KvOutput => ({ kind: 'cas', swapped: s });

describe('checkKvHistory: hand-made histories', () => {
  it('accepts an empty history and a sequential one', () => {
    expect(checkKvHistory([]).status).toBe('ok');
    const h = [op('a', put('x', '1'), 0, 1, ok), op('a', get('x'), 2, 3, read('1')), op('a', cas('x', '1', '2'), 4, 5, swapped(true))];
    expect(checkKvHistory(h).status).toBe('ok');
  });

  it('rejects a stale read: a read that starts after a write completed misses it', () => {
    const h = [op('a', put('x', '1'), 0, 10, ok), op('b', get('x'), 20, 30, read(null))];
    const verdict = checkKvHistory(h);
    expect(verdict.status).toBe('violation');
    if (verdict.status === 'violation') {
      expect(verdict.key).toBe('x');
      expect(verdict.detail).toContain('get(x)');
    }
  });

  it('accepts the same read when it overlaps the write', () => {
    const h = [op('a', put('x', '1'), 0, 25, ok), op('b', get('x'), 20, 30, read(null))];
    expect(checkKvHistory(h).status).toBe('ok');
  });

  it('rejects a value read back after a newer value was read (no going back in time)', () => {
    const h = [
      op('a', put('x', '1'), 0, 5, ok),
      op('b', put('x', '2'), 0, 50, ok),
      op('c', get('x'), 10, 20, read('2')),
      op('d', get('x'), 30, 40, read('1')),
    ];
    expect(checkKvHistory(h).status).toBe('violation');
  });

  it('finds an order among concurrent writes that explains the reads', () => {
    const h = [
      op('a', put('x', '1'), 0, 100, ok),
      op('b', put('x', '2'), 0, 100, ok),
      op('c', put('x', '3'), 0, 100, ok),
      op('d', get('x'), 10, 20, read('2')),
      op('d', get('x'), 30, 40, read('3')),
      op('d', get('x'), 50, 60, read('1')),
    ];
    expect(checkKvHistory(h).status).toBe('ok');
  });

  it('checks compare-and-set outcomes', () => {
    // Two CAS from null both succeeding is impossible.
    const bad = [op('a', cas('x', null, 'a'), 0, 10, swapped(true)), op('b', cas('x', null, 'b'), 0, 10, swapped(true))];
    expect(checkKvHistory(bad).status).toBe('violation');
    const good = [op('a', cas('x', null, 'a'), 0, 10, swapped(true)), op('b', cas('x', null, 'b'), 0, 10, swapped(false))];
    expect(checkKvHistory(good).status).toBe('ok');
    // A failed CAS must have seen some other value.
    const failedOnMatch = [op('a', put('x', 'v'), 0, 5, ok), op('b', cas('x', 'v', 'w'), 10, 20, swapped(false))];
    expect(checkKvHistory(failedOnMatch).status).toBe('violation');
  });

  it('lets a timed-out write take effect late or never', () => {
    const late = [op('a', put('x', '1'), 0, null, null), op('b', get('x'), 10, 20, read(null)), op('b', get('x'), 30, 40, read('1'))];
    expect(checkKvHistory(late).status).toBe('ok');
    const never = [op('a', put('x', '1'), 0, null, null), op('b', get('x'), 10, 20, read(null)), op('b', get('x'), 1000, 1010, read(null))];
    expect(checkKvHistory(never).status).toBe('ok');
    // ...but never before it was invoked.
    const early = [op('b', get('x'), 0, 5, read('1')), op('a', put('x', '1'), 10, null, null)];
    expect(checkKvHistory(early).status).toBe('violation');
    // ...and at most once: it cannot reappear after being overwritten.
    const twice = [
      op('a', put('x', '1'), 0, null, null),
      op('b', get('x'), 10, 20, read('1')),
      op('c', put('x', '2'), 30, 40, ok),
      op('b', get('x'), 50, 60, read('1')),
    ];
    expect(checkKvHistory(twice).status).toBe('violation');
  });

  it('partitions per key: operations on other keys do not interfere', () => {
    const h = [op('a', put('x', '1'), 0, 10, ok), op('a', put('y', '1'), 0, 10, ok), op('b', get('y'), 20, 30, read('1')), op('b', get('x'), 20, 30, read(null))];
    const verdict = checkKvHistory(h);
    expect(verdict.status).toBe('violation');
    if (verdict.status === 'violation') expect(verdict.key).toBe('x');
  });

  it('gives up (no silent pass) when the step budget is exhausted', () => {
    const h: HistoryOp[] = [];
    for (let i = 0; i < 12; i++) h.push(op(`c${i}`, put('x', String(i)), 0, 100, ok));
    h.push(op('r', get('x'), 0, 100, read('none-of-them')));
    expect(checkKvHistory(h, { maxSteps: 50 }).status).toBe('gave-up');
    expect(checkKvHistory(h).status).toBe('violation');
  });
});

describe('checkKvHistory: property', () => {
  const inputArb = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom('x', 'y'), value: fc.constantFrom('1', '2', '3') }),
    fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom('x', 'y') }),
    fc.record({
      kind: fc.constant('cas' as const),
      key: fc.constantFrom('x', 'y'),
      expected: fc.constantFrom(null, '1', '2', '3'),
      value: fc.constantFrom('1', '2', '3'),
    }),
  );
  const stepArb = fc.record({ input: inputArb, before: fc.nat(40), after: fc.nat(40), unknown: fc.boolean(), client: fc.nat(3) });

  it('histories from a sequential execution with overlapping intervals are linearizable', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        const values = new Map<string, string | null>();
        const history: HistoryOp[] = steps.map((s, i) => {
          // The op takes effect at point 10*i; its interval is any window around that point.
          const point = 10 * i;
          const { next, output } = stepRegister(values.get(s.input.key) ?? null, s.input);
          values.set(s.input.key, next);
          const unknown = s.unknown && s.input.kind !== 'get' && i % 3 === 0;
          return {
            id: i,
            clientId: `c${s.client}`,
            input: s.input,
            call: point - s.before,
            ret: unknown ? null : point + s.after,
            output: unknown ? null : output,
          };
        });
        expect(checkKvHistory(history).status).toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('corrupting one read of a sequential history (no overlap) is caught', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), fc.nat(), (steps, pick) => {
        const values = new Map<string, string | null>();
        const history: HistoryOp[] = steps.map((s, i) => {
          const { next, output } = stepRegister(values.get(s.input.key) ?? null, s.input);
          values.set(s.input.key, next);
          return { id: i, clientId: 'c', input: s.input, call: 10 * i, ret: 10 * i + 5, output };
        });
        const reads = history.filter((h) => h.output?.kind === 'get');
        if (reads.length === 0) return;
        const victim = reads[pick % reads.length];
        const seen = victim.output?.kind === 'get' ? victim.output.value : null;
        victim.output = { kind: 'get', value: seen === 'bogus' ? null : 'bogus' };
        expect(checkKvHistory(history).status).toBe('violation');
      }),
      { numRuns: 200 },
    );
  });
});
