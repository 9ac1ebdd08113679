// Seeded random faults (loss, delay, duplication, reordering, partitions, restarts) against 3-5
// engines, with Raft's safety invariants checked after every step and convergence after healing.
import { describe, expect, it } from 'vitest';
import { runChaos } from './support/chaos';

describe('engine: randomized faults', () => {
  it('keeps every safety invariant and converges after healing (25 seeds)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const result = runChaos({ seed, peers: 3 + (seed % 3), durationMs: 3000 });
      expect({ seed, violations: result.violations.slice(0, 5) }).toEqual({ seed, violations: [] });
      expect(result.committed).toBeGreaterThan(5);
    }
  });

  it('keeps them with compaction, snapshot installs and catch-up sessions under the same faults (15 seeds)', () => {
    let installs = 0;
    let sessions = 0;
    for (let seed = 1; seed <= 15; seed++) {
      const result = runChaos({ seed, peers: 3 + (seed % 3), durationMs: 3000, compaction: true });
      expect({ seed, violations: result.violations.slice(0, 5) }).toEqual({ seed, violations: [] });
      expect(result.committed).toBeGreaterThan(30);
      installs += result.installs;
      sessions += result.sessions;
    }
    // The faults really drove peers behind compaction points and into catch-up.
    expect(sessions).toBeGreaterThan(5);
    expect(installs).toBeGreaterThan(0);
  });
});
