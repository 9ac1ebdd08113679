// The harness must catch real bugs: each InjectedBugs switch, turned on alone, must produce the
// violation it causes within 500 seeds of a scenario built to provoke it, and every seed that
// catches it (the scan stops after eight) must run fully clean (no violation at all) with the bug
// switched off, so the catch is the bug's doing. Safety bugs must show as safety or linearizability violations (a liveness
// failure proves nothing about safety); skipping the election no-op is a liveness bug: a new leader
// cannot commit the entries of earlier terms until a client writes again, so the cluster never
// converges once the clients stop. A linearizability checker that gave up (search budget exhausted)
// is never counted as a catch: it found nothing.
import { describe, expect, it } from 'vitest';
import type { InjectedBugs } from '@meshraft/core/testing';
import { runSimulation, type InvariantName, type SimResult } from '../src/index';

interface BugCase {
  bug: keyof InjectedBugs;
  scenario: string;
  /** Violations that count as catching this bug. */
  expect: InvariantName[];
}

const safety: InvariantName[] = ['election-safety', 'log-matching', 'leader-completeness', 'state-machine-safety', 'committed-changed'];

const cases: BugCase[] = [
  { bug: 'readWithoutQuorum', scenario: 'sleepy-leader', expect: ['linearizability'] },
  { bug: 'forgetVote', scenario: 'vote-crash', expect: ['election-safety'] },
  { bug: 'commitPreviousTerm', scenario: 'leader-churn', expect: [...safety, 'linearizability'] },
  { bug: 'noNoopOnElection', scenario: 'basic', expect: ['liveness'] },
];

const SEEDS = 500;
/** Enough catches to show the bug is caught repeatedly; each one is re-run without the bug. */
const ENOUGH_CATCHES = 8;

/** The linearizability checker ran out of search budget: no verdict, so no catch. */
const checkerGaveUp = (result: SimResult) => result.violation?.invariant === 'linearizability' && result.violation.message.startsWith('checker gave up');

const isCatch = (c: BugCase, result: SimResult) => result.violation !== null && c.expect.includes(result.violation.invariant) && !checkerGaveUp(result);

/** Every seed of 1..SEEDS on which the bug is caught, up to ENOUGH_CATCHES of them. */
function catches(c: BugCase): SimResult[] {
  const caught: SimResult[] = [];
  for (let seed = 1; seed <= SEEDS && caught.length < ENOUGH_CATCHES; seed++) {
    const result = runSimulation({ seed, scenario: c.scenario, bugs: { [c.bug]: true } });
    if (isCatch(c, result)) caught.push(result);
  }
  return caught;
}

describe(`bug injection: the simulator catches known Raft bugs within ${SEEDS} seeds`, () => {
  for (const c of cases) {
    it(`${c.bug} is reported as ${c.expect.length === 1 ? c.expect[0] : 'a safety violation'} (scenario ${c.scenario}), and every catching seed is clean without it`, () => {
      const caught = catches(c);
      expect(caught.length, `${c.bug} not caught in ${SEEDS} seeds`).toBeGreaterThan(0);
      for (const result of caught) {
        expect(result.replay).toBe(`npm run sim -- --seeds 1 --from ${result.seed}${c.scenario === 'basic' ? '' : ` --scenario ${c.scenario}`} --bug ${c.bug}`);
        const clean = runSimulation({ seed: result.seed, scenario: c.scenario });
        expect(clean.ok, `seed ${result.seed} without ${c.bug}: ${clean.violation?.invariant}: ${clean.violation?.message}`).toBe(true);
      }
    }, 180_000);
  }
});
