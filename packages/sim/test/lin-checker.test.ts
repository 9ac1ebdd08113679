import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkKvHistory, type HistoryOp } from '../src/lin-checker';
import { sameOutput, stepRegister, type KvInput, type KvOutput } from '../src/kv-model';

let nextId = 0;
function op(clientId: string, input: KvInput, call: number, ret: number | null, output: KvOutput | null): HistoryOp {
  return { id: nextId++, clientId, input, call, ret, output };
}
const put = (key: string, value: string): KvInput => ({ kind: 'put', key, value });
const get = (key: string): KvInput => ({ kind: 'get', key });
const cas = (key: string, expected: string | null, value: string): KvInput => ({ kind: 'cas', key, expected, value });
const ok: KvOutput = { kind: 'put' };
/** `npm test` in CI sets MESHRAFT_PROPERTY_SEED (printed) so each run explores new cases; fast-check prints the failing seed either way. */
const propertySeed = process.env.MESHRAFT_PROPERTY_SEED ? { seed: Number(process.env.MESHRAFT_PROPERTY_SEED) } : {};
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
      { numRuns: 300, ...propertySeed },
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
        fc.pre(reads.length > 0); // a history without a read has nothing to corrupt: not counted as a run
        const victim = reads[pick % reads.length];
        const seen = victim.output?.kind === 'get' ? victim.output.value : null;
        victim.output = { kind: 'get', value: seen === 'bogus' ? null : 'bogus' };
        expect(checkKvHistory(history).status).toBe('violation');
      }),
      { numRuns: 200, ...propertySeed },
    );
  });
});

type StepOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/**
 * The definition, by brute force: some order of the operations, consistent with real time (an
 * operation that returned before another was invoked comes first), in which every completed
 * operation appears and gives its observed output on one register per key. An operation whose
 * outcome is unknown may appear anywhere after its invocation or not at all. Exponential: for
 * small histories only.
 */
function linearizableByBruteForce(history: HistoryOp[]): boolean {
  // A read of unknown outcome constrains nothing (and checkKvHistory drops it too).
  const ops = history.filter((o) => !(o.input.kind === 'get' && o.output === null));
  const placed = new Array<boolean>(ops.length).fill(false);
  const mustFollow = ops.map((b) => ops.map((a, i) => (a.ret !== null && a.ret < b.call ? i : -1)).filter((i) => i >= 0));
  const search = (values: Map<string, string | null>): boolean => {
    if (ops.every((o, i) => placed[i] || o.ret === null)) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i] || !mustFollow[i].every((j) => placed[j])) continue;
      const o = ops[i];
      const { next, output } = stepRegister(values.get(o.input.key) ?? null, o.input);
      if (o.output !== null && !sameOutput(o.output, output)) continue;
      placed[i] = true;
      const found = search(new Map(values).set(o.input.key, next));
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(new Map());
}

describe('checkKvHistory agrees with a brute-force search on small histories', () => {
  const values = ['1', '2', '3'] as const;
  const writeArb = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom('x', 'y'), value: fc.constantFrom(...values) }),
    fc.record({ kind: fc.constant('cas' as const), key: fc.constantFrom('x', 'y'), expected: fc.constantFrom(null, ...values), value: fc.constantFrom(...values) }),
  );
  const inputArb = fc.oneof(writeArb, fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom('x', 'y') }));
  const stepArb = fc.record({
    input: inputArb,
    before: fc.nat(25),
    after: fc.nat(25),
    /** Outcome unknown to the client (timed out); a write of unknown outcome took effect or not. */
    unknown: fc.boolean(),
    tookEffect: fc.boolean(),
  });
  /** Optionally replace what one read returned by another value some operation wrote to its key (or null). */
  const staleArb = fc.option(fc.record({ pick: fc.nat(), value: fc.nat() }), { freq: 2 });

  /** A sequential execution at points 10*i with intervals around them, then possibly one stale read. */
  function history(steps: Array<StepOf<typeof stepArb>>, stale: { pick: number; value: number } | null): HistoryOp[] {
    const state = new Map<string, string | null>();
    const ops: HistoryOp[] = steps.map((s, i) => {
      const point = 10 * i;
      const unknown = s.unknown && i % 2 === 0;
      const { next, output } = stepRegister(state.get(s.input.key) ?? null, s.input);
      if (!unknown || s.tookEffect) state.set(s.input.key, next);
      return { id: i, clientId: `c${i}`, input: s.input, call: point - s.before, ret: unknown ? null : point + s.after, output: unknown ? null : output };
    });
    const reads = ops.filter((o) => o.output?.kind === 'get');
    if (stale && reads.length > 0) {
      // Only values that really were written: a checker that merely asks "was it ever written?" accepts them all.
      const victim = reads[stale.pick % reads.length];
      const returned = victim.output?.kind === 'get' ? victim.output.value : null;
      const written = [null, ...new Set(ops.flatMap((o) => (o.input.kind !== 'get' && o.input.key === victim.input.key ? [o.input.value] : [])))];
      const others = written.filter((v) => v !== returned);
      if (others.length > 0) victim.output = { kind: 'get', value: others[stale.value % others.length] };
    }
    return ops;
  }

  /** Every read returned null or a value some operation wrote: nothing a "was it written" check rejects. */
  const readsOnlyWrittenValues = (ops: HistoryOp[]) =>
    ops.every((o) => {
      const value = o.output?.kind === 'get' ? o.output.value : null;
      return value === null || ops.some((w) => w.input.kind !== 'get' && w.input.key === o.input.key && w.input.value === value);
    });

  it('the same verdict on every history, both verdicts common, violations among reads of real values', () => {
    const seen = { ok: 0, violation: 0, violationOfWrittenValues: 0, unknownWrites: 0, violationWithUnknownWrite: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 7 }), staleArb, (steps, stale) => {
        const ops = history(steps, stale);
        const expected = linearizableByBruteForce(ops);
        const verdict = checkKvHistory(ops).status;
        expect(verdict, describeOps(ops)).toBe(expected ? 'ok' : 'violation');
        seen[verdict === 'ok' ? 'ok' : 'violation']++;
        if (verdict === 'violation' && readsOnlyWrittenValues(ops)) seen.violationOfWrittenValues++;
        const unknownWrite = ops.some((o) => o.ret === null && o.input.kind !== 'get');
        if (unknownWrite) seen.unknownWrites++;
        if (unknownWrite && verdict === 'violation') seen.violationWithUnknownWrite++;
      }),
      { numRuns: 1000, ...propertySeed },
    );
    // The generator must exercise both answers, including the hard case for a weak checker.
    expect(seen.ok).toBeGreaterThanOrEqual(100);
    expect(seen.violationOfWrittenValues).toBeGreaterThanOrEqual(50);
    expect(seen.unknownWrites).toBeGreaterThanOrEqual(100);
    expect(seen.violationWithUnknownWrite).toBeGreaterThanOrEqual(20);
  });
});

function describeOps(ops: HistoryOp[]): string {
  return ops.map((o) => `[${o.call}..${o.ret ?? 'never'}] ${JSON.stringify(o.input)} -> ${JSON.stringify(o.output)}`).join('\n');
}
