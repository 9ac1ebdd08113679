// The harness must catch real bugs (issue 2 §5): each InjectedBugs switch, turned on alone, must
// produce a safety or linearizability violation within 500 seeds of a scenario built to provoke
// it, and the same seed without the bug must not show that violation.
import { describe, expect, it } from 'vitest';
import type { InjectedBugs } from '@meshraft/core';
import { runSimulation, type InvariantName, type SimResult } from '../src/index';

interface BugCase {
  bug: keyof InjectedBugs;
  scenario: string;
  /** Violations that count as catching this bug (liveness never does: it proves nothing about safety). */
  expect: InvariantName[];
}

const safety: InvariantName[] = ['election-safety', 'log-matching', 'leader-completeness', 'state-machine-safety', 'committed-changed'];

const cases: BugCase[] = [
  { bug: 'readWithoutQuorum', scenario: 'sleepy-leader', expect: ['linearizability'] },
  { bug: 'forgetVote', scenario: 'vote-crash', expect: ['election-safety'] },
  { bug: 'commitPreviousTerm', scenario: 'leader-churn', expect: [...safety, 'linearizability'] },
];

function firstCatch(c: BugCase, maxSeeds: number): { result: SimResult; tried: number } | null {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const result = runSimulation({ seed, scenario: c.scenario, bugs: { [c.bug]: true } });
    if (result.violation && c.expect.includes(result.violation.invariant)) return { result, tried: seed };
  }
  return null;
}

describe('bug injection: the simulator catches known Raft bugs within 500 seeds', () => {
  for (const c of cases) {
    it(`${c.bug} is reported (scenario ${c.scenario})`, () => {
      const caught = firstCatch(c, 500);
      expect(caught, `${c.bug} not caught in 500 seeds`).not.toBeNull();
      const { result } = caught!;
      expect(result.replay).toBe(`npm run sim -- --seeds 1 --from ${result.seed} --scenario ${c.scenario} --bug ${c.bug}`);
      // The same seed with the bug switched off must not report that violation.
      const clean = runSimulation({ seed: result.seed, scenario: c.scenario });
      expect(clean.violation === null || !c.expect.includes(clean.violation.invariant), clean.violation?.message).toBe(true);
    });
  }
});
