import { describe, expect, it } from 'vitest';
import { formatFailure, runSimulation, scenarioNames } from '../src/index';

describe('simulation: clean engine', () => {
  it('100 basic seeds run without any violation', () => {
    const failures: string[] = [];
    let ops = 0;
    let faults = 0;
    let unknownOps = 0;
    let runsWithUnknownOps = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const r = runSimulation({ seed });
      ops += r.stats.ops;
      faults += r.stats.faults;
      unknownOps += r.stats.unknownOps;
      if (r.stats.unknownOps > 0) runsWithUnknownOps++;
      if (!r.ok) failures.push(formatFailure(r));
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    // The runs must actually exercise something.
    expect(ops).toBeGreaterThan(100 * 30);
    expect(faults).toBeGreaterThan(100 * 3);
    // ...including operations whose outcome the client never learned (timed out), which the
    // linearizability checker must place anywhere after their call, or nowhere, and still pass.
    expect(unknownOps).toBeGreaterThanOrEqual(5);
    expect(runsWithUnknownOps).toBeGreaterThanOrEqual(3);
  });

  // One test per scenario: the tabs scenarios take a second or more a seed on a loaded machine.
  describe('every bug-provoking scenario is clean without bugs (10 seeds each)', () => {
    for (const scenario of scenarioNames().filter((s) => s !== 'basic')) {
      it(scenario, () => {
        const failures: string[] = [];
        for (let seed = 1; seed <= 10; seed++) {
          const r = runSimulation({ seed, scenario });
          if (!r.ok) failures.push(formatFailure(r));
        }
        expect(failures, failures.join('\n\n')).toEqual([]);
      }, 120_000);
    }
  });

  it('is deterministic: one seed, one trace', () => {
    const a = runSimulation({ seed: 7 });
    const b = runSimulation({ seed: 7 });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.stats).toEqual(b.stats);
    expect(a.traceTail).toEqual(b.traceTail);
    const c = runSimulation({ seed: 8 });
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('honours --peers and reports the replay command', () => {
    const r = runSimulation({ seed: 3, peers: 7 });
    expect(r.stats.peers).toBe(7);
    expect(r.replay).toBe('npm run sim -- --seeds 1 --from 3 --peers 7');
    expect(() => runSimulation({ seed: 1, scenario: 'nope' })).toThrow(/unknown scenario/);
  });
});
