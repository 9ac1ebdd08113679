// Graceful departures (a tab closing): the departing peer sends TimeoutNow (when it leads) and a
// Departure notice with its final log position, then is gone for good. The others leave it out of
// quorums where their log covers its final position, and the leader removes it from the
// configuration at once, so tabs can close one after another, or several at once, without waiting
// for autoRemoveAfterMs and without a quorum of the old configuration.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../src/types';
import { elected, type EngineHarness, fastTimings } from './support/engine-harness';

const config = { ...fastTimings, autoRemoveAfterMs: 60_000 };
const group = (ids: PeerId[], seed = 1): EngineHarness => elected(ids, { config, seed, connect: true, untilOnline: true });

const voters = (h: EngineHarness, id: PeerId) => h.node(id).status().members.voters;
let nextRequest = 100;
/** Propose from `id` and run until every running peer applied it. */
function write(h: EngineHarness, id: PeerId, value: string, maxMs = 3000): void {
  h.propose(id, nextRequest++, [value]);
  h.runUntil(() => [...h.nodes.keys()].every((p) => h.appliedCommands(p).includes(value)), maxMs);
}

describe('engine: graceful departures', () => {
  it('a follower departs: the leader removes it at once (long before autoRemoveAfterMs) and commits without it', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [gone, stays] = h.followers();
    const start = h.now;
    h.depart(gone);
    h.runUntil(() => !voters(h, leader).includes(gone) && h.node(leader).status().committed >= h.node(leader).membership.currentIndex(), 2000);
    expect(h.now - start).toBeLessThan(config.autoRemoveAfterMs);
    write(h, stays, 'after');
    expect(voters(h, stays).sort()).toEqual([leader, stays].sort());
  });

  it("a departing peer's plan names the voters of its configuration whose notices it received first (departedBefore)", () => {
    const h = group(['a', 'b', 'c']);
    const old = h.leader();
    const followers = h.followers();
    for (const f of followers) expect(h.node(f).departurePlan().departedBefore).toBeUndefined();
    h.depart(old);
    // The old leader stays in the configuration until its successor removes it: meanwhile each
    // follower that received its notice names it.
    h.runUntil(() => followers.every((f) => h.node(f).departures.everDeparted(old)), 500);
    for (const f of followers) if (voters(h, f).includes(old)) expect(h.node(f).departurePlan().departedBefore).toEqual([old]);
    expect(followers.some((f) => voters(h, f).includes(old))).toBe(true);
    // Once the configuration no longer names it, it does not matter to the start-up rules: left out.
    h.runUntil(() => followers.every((f) => !voters(h, f).includes(old)), 2000);
    for (const f of followers) expect(h.node(f).departurePlan().departedBefore).toBeUndefined();
  });

  it('a leader that removed a departed voter names it while the removal is not committed (a prior voter)', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [gone, other] = h.followers();
    // The removal cannot commit while the other follower is cut off.
    h.cut(leader, other);
    h.cut(other, leader);
    h.depart(gone);
    h.runUntil(() => !voters(h, leader).includes(gone), 500);
    expect(h.node(leader).status().priorVoters).toEqual([gone]);
    const plan = h.node(leader).departurePlan();
    expect(plan.departedBefore).toEqual([gone]);
    expect(plan.notice.knew).toEqual([gone]);
    // Committed, the removal replaced the configuration that named it: left out.
    h.heal();
    h.runUntil(() => h.node(leader).status().priorVoters === undefined, 2000);
    expect(h.node(leader).departurePlan().departedBefore).toBeUndefined();
  });

  it('followers close one after another down to the leader alone: each close leaves a group that commits', () => {
    const h = group(['a', 'b', 'c', 'd', 'e']);
    const leader = h.leader();
    for (const gone of h.followers()) {
      h.depart(gone);
      h.advance(200);
      write(h, leader, `after-${gone}`, 2000);
    }
    expect(voters(h, leader)).toEqual([leader]);
  });

  it('two of three close at once (followers): the leader alone removes both and keeps committing', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    for (const gone of h.followers()) h.depart(gone);
    write(h, leader, 'alone', 2000);
    h.runUntil(() => voters(h, leader).length === 1, 2000);
  });

  it('the leader departs: its TimeoutNow target is elected at once and the old leader is removed', () => {
    const h = group(['a', 'b', 'c']);
    const old = h.leader();
    const oldTerm = h.node(old).term;
    const target = h.node(old).departurePlan().handoffTo;
    expect(target).not.toBeNull();
    const departedAt = h.now;
    h.depart(old);
    h.runUntil(() => h.leaders().length === 1, 1000);
    // At once: the target wins the very next term, well within an election timeout (virtual time).
    const next = h.leader();
    expect(next).toBe(target);
    expect(h.node(next).term).toBe(oldTerm + 1);
    expect(h.now - departedAt).toBeLessThan(config.electionTimeoutMs);
    h.runUntil(() => h.node(next).status().committed >= h.node(next).membership.currentIndex(), 1000);
    h.runUntil(() => !voters(h, next).includes(old), 2000);
    write(h, next, 'new leader');
  });

  it('a two-voter group whose leader closes: the survivor leads alone (the departed leader no longer counts)', () => {
    const h = group(['a', 'b']);
    const old = h.leader();
    const survivor = h.followers()[0];
    write(h, old, 'before');
    h.depart(old);
    h.runUntil(() => h.leaders().includes(survivor), 1500);
    write(h, survivor, 'after');
    h.runUntil(() => voters(h, survivor).length === 1, 2000);
  });

  it('the leader and one follower close at once: the last tab is elected and commits', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const h = group(['a', 'b', 'c'], seed);
      const old = h.leader();
      const [f1, f2] = h.followers();
      write(h, old, `before-${seed}`);
      h.depart(old);
      h.depart(f1);
      h.runUntil(() => h.leaders().includes(f2), 3000);
      write(h, f2, `after-${seed}`);
    }
  });

  it('three of five close at once: the two left elect and commit', () => {
    const h = group(['a', 'b', 'c', 'd', 'e']);
    const old = h.leader();
    const followers = h.followers();
    h.depart(old);
    h.depart(followers[0]);
    h.depart(followers[1]);
    h.runUntil(() => h.leaders().length === 1, 3000);
    write(h, h.leader(), 'two left');
  });

  it('a departed voter whose final log a candidate lacks still counts: a lagging candidate cannot win alone', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [behind, ahead] = h.followers();
    // `behind` misses the last writes; then `ahead` and the leader depart.
    h.cut(leader, behind);
    h.propose(leader, 1, ['x', 'y']);
    h.runUntil(() => h.appliedCommands(ahead).includes('y'), 2000);
    // Both notices must reach `behind` (so it knows both departed); the leader's last appends,
    // which would bring it 'x' and 'y', never do.
    h.heal();
    h.depart(ahead);
    h.depart(leader);
    h.dropWhere((m) => m.from === leader && m.to === behind && m.message.type === 'AppendEntries');
    h.runUntil(() => h.node(behind).departures.has(leader) && h.node(behind).departures.has(ahead), 1000);
    h.advance(3000);
    // `behind` is not as up to date as either departed peer, so both still count in its quorum of 3.
    const node = h.node(behind);
    expect([...node.quorumVoters()].sort()).toEqual([leader, behind, ahead].sort());
    expect([...node.electionVoters(node.term + 1)].sort()).toEqual([leader, behind, ahead].sort());
    expect(h.leaders()).toEqual([]);
    expect(h.node(behind).status().role).not.toBe('leader');
  });

  it('frames from a peer after its Departure are dropped, never counted as votes or acknowledgements', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const gone = h.followers()[0];
    const matchBefore = h.node(leader).leader!.progress.get(gone)!.match;
    h.depart(gone);
    // Only the notice reaches the leader (the removal it starts is not even sent yet).
    h.deliverOne((m) => m.from === gone && m.to === leader && m.message.type === 'Departure');
    expect(h.node(leader).departures.has(gone)).toBe(true);
    const dropped = h.node(leader).droppedMessages;
    h.node(leader).receive(gone, { type: 'AppendEntriesResponse', term: h.node(leader).term, success: true, matchIndex: 999, lastIndex: 999 }, h.now);
    expect(h.node(leader).droppedMessages).toBe(dropped + 1);
    expect(h.node(leader).leader!.progress.get(gone)?.match ?? matchBefore).toBeLessThanOrEqual(matchBefore);
  });

  it('a vote from a peer after its Departure is dropped: it never completes a candidate\'s majority', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [behind, gone] = h.followers();
    // `gone` holds an entry `behind` lacks, so it still counts in `behind`'s quorum after departing.
    h.cut(leader, behind);
    h.propose(leader, 1, ['x']);
    h.runUntil(() => h.appliedCommands(gone).includes('x'), 2000);
    h.heal();
    h.depart(gone);
    h.deliverAll((m) => m.from === gone && m.to === behind && m.message.type === 'Departure');
    expect(h.node(behind).departures.has(gone)).toBe(true);
    const node = h.node(behind);
    node.campaign('real', false);
    h.drain(behind);
    expect(node.status().role).toBe('candidate');
    expect(node.electionVoters(node.term)).toContain(gone);
    const dropped = node.droppedMessages;
    // Its grant would make two of three; it is dropped.
    node.receive(gone, { type: 'RequestVoteResponse', term: node.term, vote: 'granted' }, h.now);
    h.drain(behind);
    expect(node.droppedMessages).toBe(dropped + 1);
    expect(node.status().role).toBe('candidate');
  });

  it("a leader's final position covers its commit index and the log it inherited, not its unreplicated own entries", () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const node = h.node(leader);
    const committed = node.status().committed;
    // Cut everyone off, then append: these entries are on the leader alone and never counted.
    for (const f of h.followers()) h.cut(leader, f);
    h.propose(leader, 1, ['lonely']);
    expect(node.log.lastIndex()).toBeGreaterThan(committed);
    const plan = node.departurePlan();
    expect(plan.notice.lastIndex).toBe(committed);
    expect(plan.handoffTo).not.toBeNull();
    // A follower's final position is its last entry.
    const follower = h.node(h.followers()[0]);
    expect(follower.departurePlan().notice.lastIndex).toBe(follower.log.lastIndex());
    expect(follower.departurePlan().handoffTo).toBeNull();
  });
});

describe('engine: a departed voter that reached the election\'s term still counts in it', () => {
  it('a candidate left alone by another candidate of its term wins only in the next term (that one may have voted for itself)', () => {
    const h = group(['a', 'b', 'c'], 21);
    const leader = h.leader();
    const [target, other] = h.followers();
    const term = h.node(leader).term;
    // The leader departs; its handoff reaches `target`, and `other` is told to campaign as well.
    h.depart(leader);
    h.deliverAll((m) => m.message.type === 'Departure');
    h.deliverOne((m) => m.message.type === 'TimeoutNow' && m.to === target);
    h.node(other).receive(leader, { type: 'TimeoutNow', term }, h.now);
    h.drain(other);
    expect(h.node(target).status().role).toBe('candidate');
    expect(h.node(other).status().role).toBe('candidate');
    expect(h.node(other).term).toBe(h.node(target).term);
    // Each voted for itself; neither hears the other before `other` departs too.
    h.dropWhere((m) => m.message.type === 'RequestVote');
    h.depart(other);
    h.deliverAll((m) => m.message.type === 'Departure');
    // `other` may have voted in that term (here for itself): `target` cannot count it out there,
    // and wins at once in the next term, where `other` never voted.
    expect(h.node(target).status().role).toBe('leader');
    expect(h.node(target).term).toBe(term + 2);
  });
});
