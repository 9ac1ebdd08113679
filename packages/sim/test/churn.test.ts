// The churn scenario: membership changes, compaction and snapshot installs under the
// faults of 'basic', with every invariant and the linearizability check on. The runs must be clean
// AND must really exercise what the scenario claims, so the counters are asserted too.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatFailure, runSimulation, type SimResult } from '../src/index';

const SEEDS = 30;

describe('churn scenario', () => {
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'churn' }));
  }, 300_000); // the runs are synchronous: slow on a loaded machine

  it(`${SEEDS} churn seeds run without any violation`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('exercises joins, promotions, leaves, auto-removals, snapshots, installs and catch-up', () => {
    const total = (key: keyof SimResult['stats']) => results.reduce((sum, r) => sum + r.stats[key], 0);
    const runsWith = (key: keyof SimResult['stats']) => results.filter((r) => r.stats[key] > 0).length;
    expect(total('joins')).toBeGreaterThan(SEEDS * 2); // initial peers join too (only the first bootstraps)
    expect(total('promotions')).toBeGreaterThan(SEEDS);
    expect(runsWith('leaves')).toBeGreaterThan(SEEDS / 3);
    expect(runsWith('autoRemovals')).toBeGreaterThan(SEEDS / 4);
    expect(runsWith('kills')).toBeGreaterThan(SEEDS / 4);
    expect(runsWith('snapshotsTaken')).toBeGreaterThan(SEEDS / 2);
    expect(runsWith('snapshotInstalls')).toBeGreaterThan(SEEDS / 4);
    expect(runsWith('catchUpSessions')).toBeGreaterThan(SEEDS / 2);
    expect(total('ops')).toBeGreaterThan(SEEDS * 40);
    expect(total('faults')).toBeGreaterThan(SEEDS * 3);
    // Peers joined mid-run on top of the initial ones.
    expect(results.every((r) => r.stats.peers >= 4)).toBe(true);
  });

  it('is deterministic and prints a replay command', () => {
    const again = runSimulation({ seed: 5, scenario: 'churn' });
    expect(again.traceHash).toBe(results[4].traceHash);
    expect(again.stats).toEqual(results[4].stats);
    expect(again.replay).toBe('npm run sim -- --seeds 1 --from 5 --scenario churn');
  });
});
