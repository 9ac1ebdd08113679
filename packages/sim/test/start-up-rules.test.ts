// The simulator's start-up rules on profiles set up by hand: the shape of a fork the random tabs
// scenarios reach too rarely to scan for in a test (two devices whose logs end in different
// configurations when every tab closes at once), and the judgeUnionOfVoters bug switch that
// turns it into a fork, caught through the same profile listing, log reads and founding rules a
// simulated tab starts with.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '@meshraft/core';
import { addedVoterShape } from '@meshraft/core/testing';
import type { LifecycleBugs } from '../src/cli-args';
import { SignalingDirectory } from '../src/directory';
import { EventQueue } from '../src/event-queue';
import { LocalProfile } from '../src/profile';
import { Dice, streamRandom } from '../src/seeds';
import type { SimPeer } from '../src/sim-peer';
import { StartUpRules } from '../src/start-up-rules';
import { Trace } from '../src/trace';

// The shape (@meshraft/core/testing addedVoterShape): voters l, p, q and learner m; leader l of
// device B logs a no-op at 10 (it reaches p, q of device A and m of B), then promotes m at 11 (it
// reaches only x, a learner of B that joined a moment before), and every tab closes at once.
const { notices, entries } = addedVoterShape;

/** A profile whose tabs ran `own` (each slot holding its log up to its notice's position) and that holds every notice. */
function profile(name: string, own: PeerId[]): LocalProfile {
  const result = new LocalProfile(name, 1000);
  for (const id of own) {
    const slot = result.newSlot();
    slot.store.apply({ entries: entries(notices[id]!.lastIndex), hardState: { term: 4, vote: null, commit: addedVoterShape.commit } });
    // A departed identity, as the slot keeps its last one (never running again).
    slot.peer = { id, isUp: false, retired: true } as unknown as SimPeer;
    result.ownTombstones.add(id);
    result.departedBefore.set(id, []);
  }
  for (const [id, notice] of Object.entries(notices)) result.tombstones.set(id, notice);
  return result;
}

/** How each device's first reopened tab comes into the group, with the lifecycle `bugs` given. */
function reopen(bugs: LifecycleBugs): { a: string; b: string } {
  const queue = new EventQueue();
  const directory = new SignalingDirectory(queue, new Dice(streamRandom(1)), new Trace(), { restarts: [], outageMs: [0, 0], reregisterMaxMs: 0 });
  const rules = new StartUpRules(new Map(), directory, bugs);
  const decide = (device: LocalProfile) => {
    const { choice, founding } = rules.start(device, null);
    return `${choice.kind} ${choice.kind === 'new' ? '-' : choice.slot}: ${founding}`;
  };
  return { a: decide(profile('a', addedVoterShape.deviceA)), b: decide(profile('b', addedVoterShape.deviceB)) };
}

describe('start-up rules on two devices whose logs end in different configurations', () => {
  it("device B's chosen slot (x's) is read with both of its configurations, device A's with one", () => {
    const b = profile('b', addedVoterShape.deviceB);
    const x = [...b.slots.values()].find((s) => s.peer?.id === 'x')!;
    expect(x.store.logConfiguration().voterSets).toEqual([['l', 'p', 'q'], ['l', 'p', 'q', 'm']]);
    const a = profile('a', addedVoterShape.deviceA);
    expect([...a.slots.values()][0]!.store.logConfiguration().voterSets).toEqual([['l', 'p', 'q']]);
  });

  it('exactly one device re-founds: A, whose voter p is designated on {l, p, q}, which both weigh', () => {
    expect(reopen({})).toEqual({ a: 'succeed a-s1: refound', b: 'succeed b-s3: join' });
  });

  it('judgeUnionOfVoters: weighing the union of the configurations, B designates m and both re-found (a fork)', () => {
    expect(reopen({ judgeUnionOfVoters: true })).toEqual({ a: 'succeed a-s1: refound', b: 'succeed b-s3: refound' });
  });
});
