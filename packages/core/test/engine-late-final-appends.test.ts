// A departing leader's last AppendEntries can reach a peer after a newer term did: its TimeoutNow
// target's RequestVote travels another link and may overtake them. The entries are still the
// departed leader's own (§5.3 Log Matching); a peer whose log they extend keeps them, unacknowledged,
// so that it covers the departed voters' final positions and the group is not left without a
// quorum when those entries lived only on peers that have gone.
import { describe, expect, it } from 'vitest';
import { earlierLeaderEntries } from '../src/engine/follower';
import { keepEarlierLeaderEntries } from '../src/engine/replication-messages';
import { RaftLog } from '../src/engine/raft-log';
import type { AppendEntries } from '../src/messages';
import { UnacknowledgedEntries } from '../src/engine/unacknowledged-entries';
import type { LogEntry, Role } from '../src/types';
import { elected, fastTimings, type EngineHarness } from './support/engine-harness';

const config = { ...fastTimings, autoRemoveAfterMs: 60_000 };

describe('engine: a departing leader\'s last appends, overtaken by a newer term', () => {
  it('three of four close at once and the last voter hears the new term first: it still covers their claims and leads', () => {
    const h = elected(['a', 'b', 'c', 'd'], { config, seed: 3, connect: true, untilOnline: true });
    const leader = h.leader();
    const last = h.followers()[2];
    // `last` misses the latest writes: they are committed by the other three and live only there.
    h.cut(leader, last);
    h.propose(leader, 1, ['x', 'y', 'z']);
    h.runUntil(() => h.followers().filter((p) => p !== last).every((p) => h.appliedCommands(p).includes('z')), 2000);
    h.heal();
    expect(h.node(last).log.lastIndex()).toBeLessThan(h.node(leader).commit);

    // The leader departs: its last appends (to `last`) and its TimeoutNow (to `target`) are queued.
    h.depart(leader);
    const finalAppend = h.network.find((m) => m.from === leader && m.to === last && m.message.type === 'AppendEntries');
    expect(finalAppend).toBeDefined();
    const target = h.network.find((m) => m.from === leader && m.message.type === 'TimeoutNow')!.to;
    const left = h.followers().find((p) => p !== target && p !== last)!;
    // The target campaigns at once; its RequestVote reaches `last` before the leader's last append.
    h.deliverOne((m) => m.from === leader && m.to === target && m.message.type === 'TimeoutNow');
    h.deliverOne((m) => m.from === target && m.to === last && m.message.type === 'RequestVote');
    const staleTerm = (finalAppend!.message as AppendEntries).term;
    expect(h.node(last).term).toBeGreaterThan(staleTerm);
    // The other two close as well, before anything else arrives.
    h.depart(left);
    h.depart(target);
    h.deliverAll();

    // The late append was answered as stale (no acknowledgement), but its entries were kept.
    const answers = h.sentOf('AppendEntriesResponse', { from: last, to: leader });
    expect(answers.at(-1)!.message.success).toBe(false);
    const stale = finalAppend!.message as AppendEntries;
    const before = stale.prevLogIndex;
    expect(h.node(last).log.lastIndex()).toBeGreaterThanOrEqual(stale.prevLogIndex + stale.entries.length);
    // Its departure position leaves the kept entries out: it never counted for them.
    expect(h.node(last).departurePlan().notice.lastIndex).toBeLessThanOrEqual(before);
    h.runUntil(() => h.leaders().includes(last), 3000);
    h.propose(last, 2, ['alone']);
    h.runUntil(() => h.appliedCommands(last).includes('alone'), 2000);
    expect(h.appliedCommands(last)).toEqual(expect.arrayContaining(['x', 'y', 'z', 'alone']));
  });
});

describe('engine: a kept entry does not count in the keeper\'s own departure position', () => {
  it('the stale leader crashes, the keeper departs: the two left of four elect without the kept entry', () => {
    const h = elected(['a', 'b', 'c', 'd'], { config, seed: 5, connect: true, untilOnline: true });
    const stale = h.leader();
    const [keeper, p1, p2] = h.followers();
    // The leader's next append is held back, and then the leader crashes: its entry lives nowhere else.
    h.propose(stale, 1, ['only-on-the-stale-leader']);
    const held = h.dropWhere((m) => m.from === stale && m.message.type === 'AppendEntries');
    const toKeeper = held.find((m) => m.to === keeper)!;
    expect(toKeeper).toBeDefined();
    const staleTerm = h.node(stale).term;
    h.removePeer(stale);
    // The keeper campaigns in a newer term, then the held append arrives: refused, but its entry is kept.
    h.node(keeper).receive(stale, { type: 'TimeoutNow', term: staleTerm }, h.now);
    h.drain(keeper);
    expect(h.node(keeper).term).toBeGreaterThan(staleTerm);
    const before = h.node(keeper).log.lastIndex();
    h.node(keeper).receive(stale, toKeeper.message, h.now);
    h.drain(keeper);
    expect(h.node(keeper).log.lastIndex()).toBe(before + 1);
    // It departs at once. Its position leaves the kept entry out, so the other two cover it and
    // leave the keeper out of their quorums: two of the three voters left count (the crashed one too).
    h.depart(keeper);
    h.runUntil(() => h.leaders().some((p) => p === p1 || p === p2), 5000);
    const leader = h.leader();
    h.propose(leader, 2, ['after']);
    h.runUntil(() => [p1, p2].every((p) => h.appliedCommands(p).includes('after')), 3000);
    expect(h.appliedCommands(p1)).not.toContain('only-on-the-stale-leader');
  });
});

describe('keeping an earlier leader\'s entries', () => {
  const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
  /** A log of `terms` (entry i + 1 has terms[i]). */
  const logOf = (terms: number[]) => new RaftLog(0, 0, terms.map((t, i) => noop(i + 1, t)));
  const append = (term: number, prevLogIndex: number, prevLogTerm: number, terms: number[]): AppendEntries => ({
    type: 'AppendEntries', term, prevLogIndex, prevLogTerm, leaderCommit: 9, entries: terms.map((t, i) => noop(prevLogIndex + 1 + i, t)),
  });
  const positions = (entries: LogEntry[]) => entries.map((e) => [e.index, e.term]);

  it('takes what continues our log, from the entry after our last one', () => {
    expect(positions(earlierLeaderEntries(logOf([1, 2]), append(3, 1, 1, [2, 3, 3])))).toEqual([[3, 3], [4, 3]]);
    expect(positions(earlierLeaderEntries(logOf([1, 2]), append(3, 2, 2, [3])))).toEqual([[3, 3]]);
  });

  it('takes nothing that would need a cut, a gap, or a log that holds an entry of a later term', () => {
    // Our last entry is not the sender's entry at that index (taking more would need a cut).
    expect(earlierLeaderEntries(logOf([1, 1]), append(3, 1, 1, [2, 3]))).toEqual([]);
    // A gap after our log.
    expect(earlierLeaderEntries(logOf([1]), append(3, 2, 1, [3]))).toEqual([]);
    // Nothing beyond our log.
    expect(earlierLeaderEntries(logOf([1, 3, 3]), append(3, 1, 1, [3]))).toEqual([]);
    // Our log already holds an entry of a term after the sender's.
    expect(earlierLeaderEntries(logOf([1, 4]), append(3, 1, 1, [3, 3]))).toEqual([]);
  });

  function peer(role: Role, options: { catchingUp?: boolean; unlogged?: boolean } = {}) {
    const log = logOf([1, 2]);
    const calls: string[] = [];
    return {
      calls,
      node: {
        log, term: 5, commit: 1, role, unacknowledged: new UnacknowledgedEntries(),
        appendToLog: (entries: LogEntry[]) => { log.append(entries); calls.push(`append ${entries.length}`); },
        advanceCommit: () => calls.push('commit'),
        truncateLog: () => calls.push('truncate'),
        catchUp: { active: options.catchingUp === true, abort: () => calls.push('abort catch-up') },
        membership: { needsLogging: () => options.unlogged === true },
      },
    };
  }

  it('appends without moving the commit index, and marks the entries unacknowledged; a catch-up session stops first', () => {
    const plain = peer('follower');
    expect(keepEarlierLeaderEntries(plain.node, append(3, 2, 2, [3, 3]))).toBe(2);
    expect(plain.calls).toEqual(['append 2']);
    expect(plain.node.unacknowledged.acknowledgedEnd(plain.node.log.lastIndex())).toBe(2);
    const repairing = peer('candidate', { catchingUp: true });
    expect(keepEarlierLeaderEntries(repairing.node, append(3, 2, 2, [3]))).toBe(1);
    expect(repairing.calls).toEqual(['abort catch-up', 'append 1']);
    // Nothing to keep: the session goes on.
    const idle = peer('follower', { catchingUp: true });
    expect(keepEarlierLeaderEntries(idle.node, append(3, 1, 1, [2]))).toBe(0);
    expect(idle.calls).toEqual([]);
  });

  it('never on a leader, nor on a log whose configuration is not logged yet', () => {
    for (const { node, calls } of [peer('leader'), peer('follower', { unlogged: true })]) {
      expect(keepEarlierLeaderEntries(node, append(3, 2, 2, [3]))).toBe(0);
      expect(calls).toEqual([]);
    }
  });
});

describe('entries held but never acknowledged', () => {
  it('are left out of the acknowledged end until an acknowledgement covers them', () => {
    const suffix = new UnacknowledgedEntries();
    expect(suffix.acknowledgedEnd(7)).toBe(7);
    suffix.kept(5); // entries 5..7 kept from a stale append
    expect(suffix.acknowledgedEnd(7)).toBe(4);
    suffix.kept(8); // more kept later: the suffix still starts at 5
    expect(suffix.acknowledgedEnd(9)).toBe(4);
    suffix.acknowledged(3, 9); // an older range acknowledged: nothing changes
    expect(suffix.acknowledgedEnd(9)).toBe(4);
    suffix.acknowledged(6, 9); // a newer leader's append matched up to 6
    expect(suffix.acknowledgedEnd(9)).toBe(6);
    suffix.acknowledged(9, 9);
    expect(suffix.acknowledgedEnd(12)).toBe(12);
  });

  it('end with a cut at or below their start, or a replaced log; a cut above leaves the start', () => {
    const suffix = new UnacknowledgedEntries();
    suffix.kept(5);
    suffix.truncated(7); // entries 7.. cut: 5 and 6 are still unacknowledged
    expect(suffix.acknowledgedEnd(6)).toBe(4);
    suffix.truncated(5);
    expect(suffix.acknowledgedEnd(9)).toBe(9);
    suffix.kept(3);
    suffix.clear();
    expect(suffix.acknowledgedEnd(9)).toBe(9);
  });
});

/**
 * Time passes in 5 ms steps with nothing delivered (the pre-vote requests stay queued) until one of
 * the followers starts a pre-vote; returns it.
 */
function firstPreCandidate(h: EngineHarness): string {
  const followers = h.followers();
  for (let i = 0; i < 400; i++) {
    h.now += 5;
    for (const p of followers) {
      h.node(p).tick(h.now);
      h.drain(p);
    }
    const campaigner = followers.find((p) => h.node(p).status().role === 'pre-candidate');
    if (campaigner !== undefined) return campaigner;
  }
  throw new Error('no follower started a pre-vote within 2 s');
}

describe('engine: a delayed copy of a departed leader\'s append', () => {
  it('does not end the pre-vote campaign that follows the departure (the campaign wins without another election timeout)', () => {
    const h = elected(['a', 'b', 'c'], { config, seed: 11, connect: true, untilOnline: true });
    const leader = h.leader();
    h.propose(leader, 1, ['x']);
    h.runUntil(() => h.followers().every((p) => h.appliedCommands(p).includes('x')), 2000);
    // A copy of an append every follower already took, still on its way to each of them.
    const copies = h.followers().map((to) => ({ to, message: h.sentOf('AppendEntries', { from: leader, to }).at(-1)!.message }));
    // The leader departs; its handoff is lost, so the followers take turns to campaign (pre-vote first).
    h.depart(leader);
    h.dropWhere((m) => m.message.type === 'TimeoutNow');
    h.deliverAll();
    const campaigner = firstPreCandidate(h);
    const dropped = h.node(campaigner).droppedMessages;
    // The copy overtakes the pre-vote answers: it adds nothing, so it is dropped and counted.
    const copy = copies.find((c) => c.to === campaigner)!.message;
    h.node(campaigner).receive(leader, copy, h.now);
    h.drain(campaigner);
    expect(h.node(campaigner).status().role).toBe('pre-candidate');
    expect(h.node(campaigner).droppedMessages).toBe(dropped + 1);
    // Without any more time passing, the answers make it leader.
    h.deliverAll();
    expect(h.leaders()).toEqual([campaigner]);
  });

  it('that moves the commit index is taken, and the pre-vote campaign goes on (it wins without another election timeout)', () => {
    const h = elected(['a', 'b', 'c'], { config, seed: 11, connect: true, untilOnline: true });
    const leader = h.leader();
    h.propose(leader, 1, ['x']);
    h.drain(leader);
    // The followers store 'x' and acknowledge it; the leader commits it, but the appends that
    // would tell the followers so are held back: they arrive only after the leader departed.
    h.deliverAll((m) => m.from === leader && m.message.type === 'AppendEntries');
    h.deliverAll((m) => m.to === leader && m.message.type === 'AppendEntriesResponse');
    const xIndex = h.node(leader).commit;
    expect(h.node(leader).log.termAt(xIndex)).toBeDefined();
    const late = h.dropWhere((m) => m.from === leader && m.message.type === 'AppendEntries');
    expect(h.followers().every((p) => h.node(p).commit < xIndex)).toBe(true);
    h.depart(leader);
    h.dropWhere((m) => m.message.type === 'TimeoutNow' || (m.from === leader && m.message.type === 'AppendEntries'));
    h.deliverAll();
    const campaigner = firstPreCandidate(h);
    const toCampaigner = late.filter((m) => m.to === campaigner).at(-1)!.message as AppendEntries;
    expect(toCampaigner.leaderCommit).toBe(xIndex);
    h.node(campaigner).receive(leader, toCampaigner, h.now);
    h.drain(campaigner);
    expect(h.node(campaigner).commit).toBe(xIndex);
    expect(h.node(campaigner).status().role).toBe('pre-candidate');
    h.deliverAll();
    expect(h.leaders()).toEqual([campaigner]);
  });

  it('that carries entries the peer lacks is still taken', () => {
    const h = elected(['a', 'b', 'c'], { config, seed: 12, connect: true, untilOnline: true });
    const leader = h.leader();
    const [behind, other] = h.followers();
    h.cut(leader, behind);
    h.propose(leader, 1, ['only-elsewhere']);
    h.runUntil(() => h.appliedCommands(other).includes('only-elsewhere'), 2000);
    h.heal();
    // The leader's last append to `behind` arrives after its notice.
    h.depart(leader);
    const appendToBehind = h.dropWhere((m) => m.from === leader && m.to === behind && m.message.type === 'AppendEntries');
    h.dropWhere((m) => m.message.type === 'TimeoutNow');
    expect(appendToBehind.length).toBeGreaterThan(0);
    h.deliverAll((m) => m.to === behind && m.message.type === 'Departure');
    expect(h.node(behind).status().leader).toBeNull();
    const before = h.node(behind).log.lastIndex();
    h.node(behind).receive(leader, appendToBehind.at(-1)!.message, h.now);
    h.drain(behind);
    expect(h.node(behind).log.lastIndex()).toBeGreaterThan(before);
  });
});
