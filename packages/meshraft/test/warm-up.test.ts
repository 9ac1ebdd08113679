// The Worker's engine warm-up (runtime/warm-up.ts): it waits, runs the script one step per task,
// stops when told, and a step that throws ends it quietly instead of reaching the engine beside it.
import { WARM_UP_MILESTONES, type WarmUpReport } from '@meshraft/core';
import { describe, expect, it } from 'vitest';
import { startWarmUp, WARM_UP_DELAY_MS, type WarmUpTimers } from '../src/runtime/warm-up';

/** Timers run by hand: `fire()` runs the callback due first. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: WarmUpTimers = {
    setTimeout: (callback, ms) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    pending,
    fire(): boolean {
      const first = [...pending.entries()][0];
      if (!first) return false;
      pending.delete(first[0]);
      first[1].callback();
      return true;
    },
  };
}

const report = (reached: WarmUpReport['reached']): WarmUpReport => ({ reached, messages: 0, messageTypes: {}, virtualMs: 0 });

describe('engine warm-up in the Worker', () => {
  it('waits WARM_UP_DELAY_MS, then runs the whole script, one step per task', async () => {
    const clock = manualTimers();
    const run = startWarmUp(clock.timers);
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([WARM_UP_DELAY_MS]);
    let tasks = 0;
    while (clock.fire()) {
      tasks++;
      // Never more than one step queued: each runs in its own task.
      expect(clock.pending.size).toBeLessThanOrEqual(1);
    }
    const result = await run.done;
    expect(result?.reached).toEqual(WARM_UP_MILESTONES);
    expect(tasks).toBeGreaterThan(WARM_UP_MILESTONES.length);
  });

  it('stop() before or between steps: no further step runs and done gives null', async () => {
    const clock = manualTimers();
    let stepsRun = 0;
    const steps = (function* () {
      for (let i = 0; i < 10; i++) {
        stepsRun++;
        yield null;
      }
      return report([]);
    })();
    const run = startWarmUp(clock.timers, 100, steps);
    clock.fire();
    clock.fire();
    run.stop();
    expect(clock.pending.size).toBe(0);
    expect(await run.done).toBeNull();
    expect(stepsRun).toBe(2);
  });

  it('a step that throws ends the warm-up with null, not an error', async () => {
    const clock = manualTimers();
    const steps = (function* (): Generator<null, WarmUpReport> {
      yield null;
      throw new Error('a bug in the script');
    })();
    const run = startWarmUp(clock.timers, 100, steps);
    while (clock.fire());
    expect(await run.done).toBeNull();
  });
});
