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
});
