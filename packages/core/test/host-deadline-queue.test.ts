import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeadlineQueue } from '../src/host/deadline-queue';
import { propertySeed } from './property-seed';
import { ManualClock } from './support-cluster/manual-clock';

describe('DeadlineQueue', () => {
  it('fires each deadline once, in deadline order, on a single timer', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.add(() => fired.push('c'), 300);
    queue.add(() => fired.push('a'), 100);
    queue.add(() => fired.push('b'), 200);
    expect(clock.pending).toBe(1);
    clock.advance(150);
    clock.runDue();
    expect(fired).toEqual(['a']);
    clock.advance(1_000);
    clock.runDue();
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('a deadline beyond the longest timer delay (2^31 - 1 ms) is waited for in steps, each timer within it', () => {
    const clock = new ManualClock();
    const delays: number[] = [];
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn: () => void, ms: number) => {
      delays.push(ms);
      return setTimeout(fn, ms);
    };
    const queue = new DeadlineQueue(clock);
    let fired = false;
    queue.add(() => (fired = true), 1e10);
    for (let i = 0; i < 10 && !fired; i++) {
      clock.advance(2 ** 31 - 1);
      clock.runDue();
    }
    expect(fired).toBe(true);
    expect(Math.max(...delays)).toBe(2 ** 31 - 1);
    // About 1e10 / (2^31 - 1) timers, not one per few milliseconds.
    expect(delays.length).toBe(5);
  });

  it('a cancelled deadline never fires; cancelling the last one stops the timer', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: number[] = [];
    const first = queue.add(() => fired.push(1), 100);
    const second = queue.add(() => fired.push(2), 100);
    queue.cancel(first);
    queue.cancel(first); // twice: ignored
    clock.advance(100);
    clock.runDue();
    expect(fired).toEqual([2]);
    queue.cancel(second); // already expired: ignored
    const third = queue.add(() => fired.push(3), 50);
    queue.cancel(third);
    expect(clock.pending).toBe(0);
  });

  it('a deadline added by an expiring one, or earlier than the armed one, fires on time', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: Array<[string, number]> = [];
    queue.add(() => {
      fired.push(['late', clock.now()]);
      queue.add(() => fired.push(['chained', clock.now()]), 10);
    }, 1_000);
    queue.add(() => fired.push(['early', clock.now()]), 20);
    while (clock.runNext() > 0);
    expect(fired).toEqual([['early', 20], ['late', 1_000], ['chained', 1_010]]);
  });

  it('does not keep cancelled deadlines: the heap is rebuilt from the live ones', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const keep = queue.add(() => undefined, 60_000);
    for (let i = 0; i < 10_000; i++) queue.cancel(queue.add(() => undefined, 10_000 + i));
    expect(queue.size).toBe(1);
    expect((queue as unknown as { heap: unknown[] }).heap.length).toBeLessThan(300);
    queue.cancel(keep);
    expect(clock.pending).toBe(0);
  });

  it('property: any schedule of adds, cancels and time fires exactly the uncancelled deadlines, each at its time', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), ms: fc.integer({ min: 0, max: 500 }) }),
      fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const clock = new ManualClock();
        const queue = new DeadlineQueue(clock);
        const added: Array<{ key: number; at: number; cancelled: boolean; firedAt: number | null }> = [];
        for (const s of steps) {
          if (s.kind === 'add') {
            const record = { key: 0, at: clock.now() + s.ms, cancelled: false, firedAt: null as number | null };
            record.key = queue.add(() => {
              expect(record.firedAt).toBeNull();
              record.firedAt = clock.now();
            }, s.ms);
            added.push(record);
          } else if (s.kind === 'cancel' && added.length > 0) {
            const record = added[s.which % added.length];
            if (record.firedAt === null) record.cancelled = true;
            queue.cancel(record.key);
          } else if (s.kind === 'wait') {
            clock.advance(s.ms);
            clock.runDue();
            // Everything due by now has fired, none held back for later.
            for (const record of added) if (!record.cancelled && record.at <= clock.now()) expect(record.firedAt).not.toBeNull();
          }
        }
        const drainedFrom = clock.now();
        while (clock.runNext() > 0);
        for (const record of added) {
          if (record.cancelled) expect(record.firedAt).toBeNull();
          else expect(record.firedAt).not.toBeNull();
          // Never early; late only by the waits the test took (it fires when time is next advanced).
          if (record.firedAt !== null) expect(record.firedAt).toBeGreaterThanOrEqual(record.at);
          // Left to the end, each fires exactly at its time when the clock runs to it.
          if (record.at > drainedFrom && record.firedAt !== null) expect(record.firedAt).toBe(record.at);
        }
        expect(queue.size).toBe(0);
        expect(clock.pending).toBe(0);
      }),
      { ...propertySeed, numRuns: 200 },
    );
  });
});
