// The tabs scenario: browser tab life (open, close, close several at once, reload, crash, reopen
// on two profiles, signaling restarts, every tab closed and the app reopened) under the startup
// rules of @meshraft/core lifecycle, with every invariant, availability after graceful actions,
// forks, slot leaks and linearizability checked. The runs must be clean AND must really exercise
// what the scenario claims, so the counters are asserted too; and lifecycle bugs (and the engine's
// succession switches) switched on must be caught.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimBugs } from '../src/cli-args';
import { formatFailure, runSimulation, type InvariantName, type SimResult } from '../src/index';

const SEEDS = 60;

type TabsTotals = NonNullable<SimResult['tabs']>;
/** The counters that are plain numbers (everyTabActions counts by kind). */
type TabsCount = Exclude<keyof TabsTotals, 'everyTabActions'>;

describe('tabs scenario', () => {
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs' }));
  }, 300_000); // the runs are synchronous: slow on a loaded machine

  it(`${SEEDS} tabs seeds run without any violation`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('exercises closes, close-many, reloads, re-foundings, successions, adoptions, leaders reported gone, signaling restarts, waits, availability checks and Worker timers after a notice', () => {
    const total = (key: TabsCount) => results.reduce((sum, r) => sum + r.tabs![key], 0);
    const runsWith = (key: TabsCount) => results.filter((r) => r.tabs![key] > 0).length;
    expect(results.every((r) => r.tabs !== null)).toBe(true);
    expect(total('closed')).toBeGreaterThan(SEEDS * 4);
    expect(runsWith('closeMany')).toBeGreaterThan(SEEDS / 4);
    expect(runsWith('reloads')).toBeGreaterThan(SEEDS / 2);
    // Re-founding from local data after every tab closed (the finale), in most runs.
    expect(runsWith('refounds')).toBeGreaterThan(SEEDS / 2);
    // New identities warm-starting from a departed tab's slot.
    expect(total('successions')).toBeGreaterThan(SEEDS * 2);
    // A named successor carrying the group on by itself when every voter closed at once.
    expect(total('successorRefounds')).toBeGreaterThan(0);
    // Crashed identities adopted by reopened tabs.
    expect(runsWith('adoptions')).toBeGreaterThan(SEEDS / 4);
    // Followers told by a stopped tab's lock that their leader is gone, taking a turn to campaign.
    expect(runsWith('leaderGoneTurns')).toBeGreaterThan(SEEDS / 4);
    expect(runsWith('signalingRestarts')).toBe(SEEDS);
    // Devices with no data opening the app right after a signaling restart, and tabs that waited
    // for evidence about the room (the server restarted or was away).
    expect(runsWith('newDevices')).toBeGreaterThan(SEEDS / 4);
    expect(total('waits')).toBeGreaterThan(SEEDS / 4);
    expect(total('availabilityChecks')).toBeGreaterThan(SEEDS * 5);
    // Notices passed on by tabs that were no members yet, taken once the peer they name ran
    // nowhere (RaftEngine.peersPresent): every run above checked that nothing was lost meanwhile.
    expect(runsWith('heldNoticesTaken')).toBeGreaterThan(SEEDS / 10);
    // Partitions are links that die and reconnect: the engines hear both (FaultPlan.linkEvents).
    const lost = results.reduce((sum, r) => sum + r.stats.linksLost, 0);
    const back = results.reduce((sum, r) => sum + r.stats.linksBack, 0);
    expect(results.filter((r) => r.stats.linksLost > 0).length).toBeGreaterThan(SEEDS / 2);
    expect(back).toBeGreaterThan(lost / 2);
    expect(back).toBeLessThanOrEqual(lost);
    // Exactly one group per run: one bootstrap.
    expect(results.every((r) => r.tabs!.bootstraps === 1)).toBe(true);
    // A closing tab's Worker whose election timer fired after the notice went out, some of them
    // storing a later term than the notice's in the slot the next tab takes over.
    expect(total('workerTimersAfterNotice')).toBeGreaterThan(SEEDS);
    expect(total('workerTimerLaterTerms')).toBeGreaterThan(0);
    // Runs whose group could not go on (outside the promises) stay rare.
    expect(total('strandedGroups')).toBeLessThan(SEEDS / 20);
  });

  it('is deterministic and prints a replay command', () => {
    const again = runSimulation({ seed: 7, scenario: 'tabs' });
    expect(again.traceHash).toBe(results[6].traceHash);
    expect(again.tabs).toEqual(results[6].tabs);
    expect(again.replay).toBe('npm run sim -- --seeds 1 --from 7 --scenario tabs');
  });
});

/**
 * Lifecycle bug switches: each, turned on alone, must be reported as the violation it causes within
 * BUG_SEEDS seeds, and every seed that catches it (the scan stops after ENOUGH_CATCHES) must run fully
 * clean without it, so the catch is the bug's doing. A linearizability checker that gave up finds
 * nothing and never counts as a catch.
 */
const BUG_SEEDS = 300;
const ENOUGH_CATCHES = 5;

const bugCases: Array<{ bug: keyof SimBugs; expect: InvariantName | readonly InvariantName[]; why: string; scenario?: 'tabs-chaos-two' | 'tabs-slow-disk' | 'tabs-chaos-all'; catches?: number; from?: number }> = [
  { bug: 'adoptDepartedIdentities', expect: 'departed-spoke', why: 'a departed identity that starts again sends again (votes, acknowledges)' },
  { bug: 'trustEmptyRoomAfterRestart', expect: 'fork', why: 'an empty room right after a signaling restart is trusted and a second group is bootstrapped' },
  { bug: 'keepUnusableSlots', expect: 'slot-leak', why: 'databases nobody can use any more are never deleted' },
  // Two devices are needed (tabs-chaos-two), and the catches are rarer there (3 in the first 300 seeds).
  {
    bug: 'trustOtherDevicesDepartures',
    expect: 'fork',
    why: "departures learnt from another device's notices count as the profile's own, and both devices re-found one configuration",
    scenario: 'tabs-chaos-two',
    catches: 2,
  },
  // About one seed in 300 catches it, so the scan starts a few seeds before a catch (seed 500;
  // none in 290-499 since a leader's plan leaves before its write): scanning from 1 would take a minute. A change that sends that seed down another path
  // moves the catch; find it again with `npm run sim -- --scenario tabs-chaos-two --bug
  // ignoreWhatOtherDevicesKnew --seeds 1000`.
  {
    bug: 'ignoreWhatOtherDevicesKnew',
    expect: 'fork',
    why: "the tie-break reads another device's voters as knowing of no departure, and re-founds where that device holds the last departure",
    scenario: 'tabs-chaos-two',
    catches: 1,
    from: 495,
  },
  // A closing tab's Worker stores a commit index past its notice (Tabs.close: it landed its entries,
  // and the commit index that followed, after the page sent the notice); a successor writes other
  // entries there, and the slot's next identity holds the departed one's as committed. With the
  // browser's slower writes (tabs-slow-disk) the window opens in most runs, yet a successor writes
  // over it rarely: one seed in the first 300 catches it (175), where the scan starts. Find others with
  // `npm run sim -- --scenario tabs-slow-disk --bug keepCommitOnHandOver --seeds 1000 --from N`.
  {
    bug: 'keepCommitOnHandOver',
    expect: ['leader-completeness', 'state-machine-safety', 'committed-changed', 'log-matching', 'liveness'],
    why: "a new identity on a departed slot keeps the commit index the departed tab's Worker stored past its notice",
    scenario: 'tabs-slow-disk',
    catches: 1,
    from: 170,
  },
  // judgeUnionOfVoters needs two devices whose logs end in different configurations when every
  // tab closes at once, with equal final positions: start-up-rules.test.ts sets that up by hand.
  // A lone voter elects itself in a Ready its page never relayed and closes with a notice of the
  // older term; its Worker lands that term's entries, a successor takes the same term with other
  // entries, and the slot's next identity joins it holding both. Two seeds in the first 300 of
  // tabs-slow-disk catch it (226, 230); the scan starts just before the first. Find others with
  // `npm run sim -- --scenario tabs-slow-disk --bug keepLaterTermsOnHandOver --seeds 1000 --from N`.
  {
    bug: 'keepLaterTermsOnHandOver',
    expect: ['leader-completeness', 'state-machine-safety', 'committed-changed', 'log-matching'],
    why: "a new identity on a departed slot keeps the entries of a term later than the notice's, which the departed tab's Worker stored after its page sent the notice",
    scenario: 'tabs-slow-disk',
    catches: 1,
    from: 220,
  },
  // A successor elected and closed at once leaves its Worker to store, after the notice, its
  // re-founded configuration and a commit index past it; a frozen tab reading that slot whole
  // re-founds beside the next successor, on another device. Rare: none in the first 600 seeds of
  // tabs, tabs-slow-disk or tabs-chaos-all; the scan starts at the seed that found it (with the
  // Worker timer). Look for others with `npm run sim -- --scenario tabs --bug readDepartedSlotWhole --seeds 1000 --from N`.
  {
    bug: 'readDepartedSlotWhole',
    expect: ['state-machine-safety', 'fork', 'leader-completeness', 'committed-changed', 'log-matching'],
    why: 'a frozen tab judges a departed slot whole (a configuration and a commit index its Worker stored after the notice), not as its take-over will leave it',
    catches: 1,
    from: 608252617,
  },
  // A leader elected a moment before its page closed sends its previous term's notice; its Worker
  // commits the previous leader's last entry alone after it, a group that went on writes another
  // entry there, and the slot's next identity holds the departed one's as committed.
  {
    bug: 'commitUpToNoticeOnHandOver',
    expect: ['state-machine-safety', 'leader-completeness', 'committed-changed', 'log-matching'],
    why: "a new identity on a departed slot keeps the commit index up to the notice's final position, past what the departed page had seen committed",
    scenario: 'tabs-chaos-all',
    catches: 1,
    from: 110,
  },
  // The named successor re-founds and commits, every tab crashes, it is adopted and closes as a
  // follower (its notice names no list); the next successor on the departed leader's list, covering
  // only that leader's claim, re-founds short of what the first committed. Rare: the scan starts at
  // the seed that found it. Look for others with
  // `npm run sim -- --scenario tabs-slow-disk --bug skipPassedOverClaims --seeds 1000 --from N`.
  {
    bug: 'skipPassedOverClaims',
    expect: ['leader-completeness', 'state-machine-safety', 'committed-changed', 'log-matching', 'fork'],
    why: 'a successor re-founds covering the departed leaders\' claims only, not those of the successors it passes over',
    scenario: 'tabs-slow-disk',
    catches: 1,
    from: 916000085,
  },
  // The first successor on a departed leader's list re-founds the group on one device, names nobody
  // and closes; the second, on another device, re-founds by the older list too, while a tab taking
  // the first one's slot over re-founds that configuration on its device (two leaders in one term).
  // Rare: the scan starts at the seed that found it.
  {
    bug: 'succeedPastLaterConfiguration',
    expect: ['log-matching', 'election-safety', 'leader-completeness', 'state-machine-safety', 'committed-changed', 'fork'],
    why: "a successor re-founds by a departed leader's list although its log holds a configuration a later leader wrote",
    scenario: 'tabs-slow-disk',
    catches: 1,
    from: 940000107,
  },
];

const checkerGaveUp = (result: SimResult) => result.violation?.invariant === 'linearizability' && result.violation.message.startsWith('checker gave up');

describe(`tabs bug injection: lifecycle and succession bugs are caught within ${BUG_SEEDS} seeds`, () => {
  for (const c of bugCases) {
    const scenario = c.scenario ?? 'tabs';
    const enough = c.catches ?? ENOUGH_CATCHES;
    const expected: readonly InvariantName[] = typeof c.expect === 'string' ? [c.expect] : c.expect;
    it(`${c.bug}: ${c.why} (reported as ${expected.join(' or ')}, ${scenario}); every catching seed is clean without it`, () => {
      const caught: SimResult[] = [];
      const from = c.from ?? 1;
      for (let seed = from; seed < from + BUG_SEEDS && caught.length < enough; seed++) {
        const result = runSimulation({ seed, scenario, bugs: { [c.bug]: true } });
        if (result.violation && expected.includes(result.violation.invariant) && !checkerGaveUp(result)) caught.push(result);
      }
      expect(caught.length, `${c.bug} not caught in ${BUG_SEEDS} seeds`).toBe(enough);
      for (const result of caught) {
        expect(result.replay).toBe(`npm run sim -- --seeds 1 --from ${result.seed} --scenario ${scenario} --bug ${c.bug}`);
        const clean = runSimulation({ seed: result.seed, scenario });
        expect(clean.ok, `seed ${result.seed} without ${c.bug}: ${clean.violation?.invariant}: ${clean.violation?.message}`).toBe(true);
      }
    }, 180_000);
  }
});
