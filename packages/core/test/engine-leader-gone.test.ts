// A leader whose process stopped without a word (a crashed tab): when the transport can tell (a tab
// of the same browser sees the crashed tab's Web Lock released), it reports peerGone. The leader's
// followers then stop trusting its lease and campaign in turn at once, instead of waiting an
// election timeout. A report that reaches only some followers, or names a leader that is in fact
// alive, costs nothing: the lease of those that did not hear it, and the live leader's next
// heartbeat, keep the group as it was.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../src/types';
import { elected, type EngineHarness, type InFlight, testTimings } from './support/engine-harness';

const config = { ...testTimings, autoRemoveAfterMs: 60_000 };
const group = (ids: PeerId[], seed = 1): EngineHarness => elected(ids, { config, seed, connect: true, untilOnline: true, settleMs: 200 });

let nextRequest = 100;
function write(h: EngineHarness, id: PeerId, value: string, maxMs = 5000): void {
  h.propose(id, nextRequest++, [value]);
  h.runUntil(() => [...h.nodes.keys()].every((p) => h.appliedCommands(p).includes(value)), maxMs);
}

/** The leader's process stops: it is no longer ticked, and nothing more arrives from it. */
function crashLeader(h: EngineHarness): { old: PeerId; term: number } {
  const old = h.leader();
  const term = h.node(old).term;
  h.removePeer(old);
  return { old, term };
}

describe('engine: a crashed leader reported gone', () => {
  it('both followers hear it: one is elected in the next term, long before an election timeout, and writes go on', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const h = group(['a', 'b', 'c'], seed);
      const { old, term } = crashLeader(h);
      const start = h.now;
      for (const id of h.nodes.keys()) h.node(id).peerGone(old, h.now);
      h.runUntil(() => h.leaders().length === 1, 5000, 1);
      // Virtual time: the first in turn waits a quarter heartbeat, then one PreVote and one vote round.
      expect(h.now - start).toBeLessThan(config.heartbeatMs);
      const next = h.leader();
      expect(next).not.toBe(old);
      expect(h.node(next).term).toBe(term + 1); // one campaign, no split vote
      write(h, [...h.nodes.keys()].find((id) => id !== next)!, `after-${seed}`);
    }
  });

  it('the voters left take turns by id: the first is elected; when it is cut off unnoticed, the second is, a heartbeat later', () => {
    const h = group(['a', 'b', 'c', 'd', 'e'], 7);
    const { old, term } = crashLeader(h);
    const [first] = [...h.nodes.keys()].sort();
    for (const id of h.nodes.keys()) h.node(id).peerGone(old, h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).toBe(first);
    expect(h.node(first).term).toBe(term + 1);

    // Again, but the first in turn is silently cut off (no peerDown reported): three of five are left.
    const again = group(['a', 'b', 'c', 'd', 'e'], 7);
    const crashed = crashLeader(again);
    const [cutOff, second] = [...again.nodes.keys()].sort();
    again.isolate(cutOff);
    const start = again.now;
    for (const id of again.nodes.keys()) again.node(id).peerGone(crashed.old, again.now);
    again.runUntil(() => again.leaders().length === 1, 5000, 1);
    expect(again.leader()).toBe(second);
    expect(again.now - start).toBeGreaterThanOrEqual(config.heartbeatMs); // its turn came a heartbeat after the first's
    expect(again.now - start).toBeLessThan(2 * config.heartbeatMs);
  });

  it('the first in turn stops too, mid-election, after the others voted for it: the next in turn is elected without waiting an election timeout', () => {
    const h = group(['a', 'b', 'c', 'd', 'e'], 9);
    const { old, term } = crashLeader(h);
    const [first, second] = [...h.nodes.keys()].sort();
    const start0 = h.now;
    for (const id of h.nodes.keys()) h.node(id).peerGone(old, h.now);
    // Time passes, but `first` never gets word of its victory out: the others vote for it in the
    // next term and never hear from it as leader.
    const votedForFirst = () => [...h.nodes.keys()].filter((id) => id !== first && h.node(id).vote === first && h.node(id).term === term + 1).length;
    while (votedForFirst() < 3) {
      expect(h.now - start0).toBeLessThan(2000);
      h.now += 1;
      for (const [id, node] of h.nodes) {
        node.tick(h.now);
        h.drain(id);
      }
      const victory = (m: InFlight) => m.from === first && (m.message.type === 'AppendEntries' || m.message.type === 'Heartbeat');
      h.deliverAll((m) => !victory(m));
      h.dropWhere(victory);
    }
    for (const id of h.nodes.keys()) if (id !== first) expect(h.node(id).status().leader).toBeNull();
    h.removePeer(first); // its messages in flight are lost with it
    const start = h.now;
    for (const id of h.nodes.keys()) h.node(id).peerGone(first, h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).toBe(second);
    expect(h.now - start).toBeLessThan(config.heartbeatMs); // its turn came first: no election timeout waited
    write(h, second, 'after-two-crashes');
  });

  it('a peer reported gone earlier is left out of the turns: after two leader crashes the first live voter goes first', () => {
    // Seed 1 elects 'b' first: it crashes, 'a' (first in turn) is elected, then 'a' crashes too.
    const h = group(['a', 'b', 'c', 'd', 'e'], 1);
    const first = crashLeader(h);
    expect(first.old).toBe('b');
    for (const id of h.nodes.keys()) h.node(id).peerGone('b', h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).toBe('a');
    h.runUntil(() => ['c', 'd', 'e'].every((id) => h.node(id).status().leader === 'a'), 1000, 1);
    h.removePeer('a');
    const start = h.now;
    for (const id of h.nodes.keys()) h.node(id).peerGone('a', h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    // 'b' (still a voter, never reported down) would rank first and cost the others a heartbeat.
    expect(h.leader()).toBe('c');
    expect(h.now - start).toBeLessThan(config.heartbeatMs);
  });

  it('a crashed identity that comes back (a tab adopted it) takes turns again: no split vote when the next leader crashes', () => {
    // Seed 14 elects 'a' first: 'a' crashes, 'b' leads, 'a' restarts from its disk and follows 'b'.
    const h = group(['a', 'b', 'c'], 14);
    const first = crashLeader(h);
    expect(first.old).toBe('a');
    for (const id of h.nodes.keys()) h.node(id).peerGone('a', h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).toBe('b');
    h.start('a');
    for (const id of ['b', 'c']) {
      h.node(id).peerUp('a', h.now);
      h.node('a').peerUp(id, h.now);
    }
    h.runUntil(() => h.node('a').status().leader === 'b', 2000, 1);
    // 'b' crashes: 'a' (first by id) and 'c' are left, and only 'a' may go first.
    const term = h.node('b').term;
    h.removePeer('b');
    const start = h.now;
    for (const id of h.nodes.keys()) h.node(id).peerGone('b', h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).toBe('a');
    expect(h.node('a').term).toBe(term + 1); // one campaign: 'c' did not stand beside it
    expect(h.now - start).toBeLessThan(config.heartbeatMs);
  });

  it('only one follower hears it (the other is on another device, under the lease): nothing is disrupted, and the group elects after the timeout', () => {
    const h = group(['a', 'b', 'c'], 3);
    const { old, term } = crashLeader(h);
    const [told, other] = [...h.nodes.keys()].sort();
    const start = h.now;
    h.node(told).peerGone(old, h.now);
    h.advance(config.heartbeatMs, 1);
    expect(h.leaders()).toEqual([]);
    expect(h.node(other).term).toBe(term); // its lease ignored the PreVote
    h.runUntil(() => h.leaders().length === 1, 10_000, 5);
    expect(h.now - start).toBeGreaterThanOrEqual(config.electionTimeoutMs - config.heartbeatMs);
    write(h, other, 'after');
  });

  it('a report naming a live leader (stale) changes nothing: its next heartbeat is followed again, in the same term', () => {
    const h = group(['a', 'b', 'c'], 4);
    const leader = h.leader();
    const term = h.node(leader).term;
    const follower = h.followers()[0];
    h.node(follower).peerGone(leader, h.now);
    h.advance(3 * config.heartbeatMs, 1);
    expect(h.leader()).toBe(leader);
    for (const id of h.nodes.keys()) expect(h.node(id).term).toBe(term);
    expect(h.node(follower).status().leader).toBe(leader);
    write(h, follower, 'still');
  });

  it('a follower reported gone is only a lost link to the leader: it keeps leading, in the same term', () => {
    const h = group(['a', 'b', 'c'], 5);
    const leader = h.leader();
    const term = h.node(leader).term;
    const gone = h.followers()[0];
    h.removePeer(gone);
    h.node(leader).peerGone(gone, h.now);
    write(h, leader, 'without');
    expect(h.leader()).toBe(leader);
    expect(h.node(leader).term).toBe(term);
  });

  it('an observer (a learner) that hears it does not campaign: the voters elect one of their own', () => {
    const h = elected(['a', 'b', 'c', 'o'], { config, seed: 6, connect: true, untilOnline: true, settleMs: 200, preferences: { o: 'observer' } });
    const { old, term } = crashLeader(h);
    const sentBefore = h.sent.length;
    for (const id of h.nodes.keys()) h.node(id).peerGone(old, h.now);
    h.runUntil(() => h.leaders().length === 1, 5000, 1);
    expect(h.leader()).not.toBe('o');
    expect(h.node(h.leader()).term).toBe(term + 1);
    // Not even a pre-vote: an observer never stands for election.
    const asked = h.sent.slice(sentBefore).filter((m) => m.from === 'o' && (m.message.type === 'PreVote' || m.message.type === 'RequestVote'));
    expect(asked).toEqual([]);
    expect(h.node('o').status().role).toBe('follower');
  });
});
