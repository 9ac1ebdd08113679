// A learner can hold the most up-to-date log of the peers still alive: the last leader replicated
// its entries to it before dying, and a voter's uncommitted promotion of that learner makes the
// voter count it. Then no voter can win (the learner denies the one that counts it, the other
// voter denies the one behind it) and the learner, not a voter in its own configuration, never
// stood for election: the group stayed leaderless for good (found by the simulator's churn
// scenario). The learner now stands in its own configuration, commits a no-op and steps down.
import { describe, expect, it } from 'vitest';
import type { LogEntry, Membership } from '../src/types';
import { EngineHarness, fastTimings } from './support/engine-harness';

const before: Membership = { voters: ['a', 'b', 'c'], learners: ['d'] };
const promoted: Membership = { voters: ['a', 'b', 'c', 'd'], learners: [] };
const committed: LogEntry[] = [
  { kind: 'config', index: 1, term: 1, membership: before },
  { kind: 'noop', index: 2, term: 1 },
];

/** a, the term-3 leader, is gone for good; b, c and d hold the logs it left behind. */
function strandedGroup(): EngineHarness {
  const h = new EngineHarness({ ids: ['b', 'c', 'd'], config: fastTimings, bootstrap: before, seed: 5 });
  const logs: Record<string, LogEntry[]> = {
    // b led term 2 long enough to append d's promotion, which never committed.
    b: [...committed, { kind: 'config', index: 3, term: 2, membership: promoted }],
    c: [...committed],
    // a, leader of term 3, replicated two entries to the learner d only.
    d: [...committed, { kind: 'noop', index: 3, term: 3 }, { kind: 'noop', index: 4, term: 3 }],
  };
  for (const id of ['b', 'c', 'd']) {
    h.disks.get(id)!.state = { hardState: { term: 3, vote: null, commit: 2 }, snapshot: null, entries: logs[id] };
    h.start(id);
  }
  return h;
}

describe('engine: a learner holding the only up-to-date log', () => {
  it('stands for election in its own configuration, hands its entries to the voters and steps down; a voter then leads', () => {
    const h = strandedGroup();
    h.runUntil(() => h.leaders().some((id) => id !== 'd') && h.node('d').status().leader !== null, 20_000);
    const leader = h.leader();
    expect(['b', 'c']).toContain(leader);
    // d led for a moment (its no-op committed by b and c), then stepped down: d was a leader of some term.
    expect(h.sentOf(['RequestVote'], { from: 'd' }).length).toBeGreaterThan(0);
    expect(h.node('d').status().role).not.toBe('leader');
    // The entries only d held survive on every peer; b's uncommitted promotion was replaced.
    for (const id of ['b', 'c', 'd']) {
      const log = h.node(id).log;
      expect(log.termAt(3), `${id}: entry 3`).toBe(3);
      expect(log.termAt(4), `${id}: entry 4`).toBe(3);
    }
    // The group takes writes again.
    h.propose(leader, 1, ['after']);
    h.advance(500);
    for (const id of ['b', 'c', 'd']) expect(h.appliedCommands(id)).toEqual(['after']);
  });

  it('a learner behind the voters never stands for election', () => {
    // maxVoters 3: d stays a learner (a full group does not promote it).
    const h = new EngineHarness({ ids: ['a', 'b', 'c', 'd'], config: { ...fastTimings, maxVoters: 3 }, bootstrap: before, seed: 6 });
    h.runUntil(() => h.leaders().length === 1, 10_000);
    const leader = h.leader();
    h.removePeer(leader);
    h.runUntil(() => h.leaders().length === 1, 10_000);
    h.advance(3000);
    expect(h.node('d').membership.isVoter('d')).toBe(false);
    expect(h.sentOf(['PreVote', 'RequestVote'], { from: 'd' })).toEqual([]);
  });
});
