// Pre-vote, check-quorum and the leader lease: rejoining peers do not disrupt a healthy leader,
// and a leader cut off from its quorum steps down.
import { describe, expect, it } from 'vitest';
import { elected as electedWith, type EngineHarness, testTimings as base } from './support/engine-harness';

const elected = (ids: string[], config = {}, seed = 1): EngineHarness => electedWith(ids, { config, seed });

describe('engine: pre-vote and check-quorum', () => {
  it('a partitioned follower that rejoins does not depose a healthy leader (term unchanged)', () => {
    const h = elected(['a', 'b', 'c'], {}, 2);
    const leader = h.leader();
    const term = h.node(leader).term;
    const loner = h.followers()[0];
    h.isolate(loner);
    h.advance(10_000); // many election timeouts: it pre-votes over and over, never bumping its term
    expect(h.node(loner).term).toBe(term);
    expect(h.node(loner).status()).toMatchObject({ role: 'pre-candidate', online: false });
    h.heal();
    h.advance(3000);
    expect(h.leaders()).toEqual([leader]);
    for (const id of ['a', 'b', 'c']) expect(h.node(id).status()).toMatchObject({ term, leader, online: true });
  });

  it('without pre-vote, followers in the lease ignore a rejoining candidate’s RequestVote', () => {
    const h = elected(['a', 'b', 'c'], { preVote: false }, 2);
    const leader = h.leader();
    const term = h.node(leader).term;
    const loner = h.followers()[0];
    const other = h.followers().find((id) => id !== loner)!;
    h.isolate(loner);
    h.advance(3000);
    expect(h.node(loner).term).toBeGreaterThan(term); // it did inflate its own term
    // Deliver one of its RequestVotes to the other follower, which hears the leader: ignored.
    h.node(other).receive(loner, { type: 'RequestVote', term: h.node(loner).term, lastLogIndex: 99, lastLogTerm: 99 }, h.now);
    h.drain(other);
    expect(h.node(other).term).toBe(term);
    expect(h.network.filter((m) => m.from === other && m.message.type === 'RequestVoteResponse')).toEqual([]);
  });

  it('grants pre-votes only when no live leader was heard and the log is up to date', () => {
    const h = elected(['a', 'b', 'c'], {}, 3);
    const follower = h.followers()[0];
    const status = h.node(follower).status();
    const ask = (lastLogIndex: number, lastLogTerm: number) => {
      h.network = [];
      h.node(follower).receive('x', { type: 'PreVote', term: status.term + 1, lastLogIndex, lastLogTerm }, h.now);
      h.drain(follower);
      return h.network.map((m) => m.message);
    };
    // Hearing a leader: ignored.
    expect(ask(100, 100)).toEqual([]);
    // Leader silent for an election timeout: answered by the log rule, term left alone.
    for (const id of h.nodes.keys()) if (id !== follower) h.isolate(id);
    h.now += 1100;
    expect(ask(status.lastIndex, status.term)).toEqual([{ type: 'PreVoteResponse', term: status.term + 1, vote: 'granted' }]);
    expect(ask(status.lastIndex - 1, status.term)).toEqual([{ type: 'PreVoteResponse', term: status.term, vote: 'denied' }]);
    expect(h.node(follower).term).toBe(status.term);
  });

  it('two pre-candidates that ask each other at once: the greater id steps back, and one term elects the other', () => {
    const h = elected(['a', 'b', 'c'], {}, 7);
    const leader = h.leader();
    const term = h.node(leader).term;
    const [first, second] = h.followers().sort();
    h.isolate(leader);
    // Both election timers run out before either hears of the other's campaign.
    h.now += base.electionTimeoutMs + base.electionJitterMs;
    for (const id of [first, second]) {
      h.node(id).tick(h.now);
      h.drain(id);
      expect(h.node(id).status().role).toBe('pre-candidate');
    }
    // Each grants the other's pre-vote (equal logs); only the greater id steps back.
    h.deliverAll((m) => m.message.type === 'PreVote');
    expect(h.sentOf('PreVoteResponse', { from: first, to: second }).at(-1)?.message.vote).toBe('granted');
    expect(h.sentOf('PreVoteResponse', { from: second, to: first }).at(-1)?.message.vote).toBe('granted');
    expect(h.node(first).status().role).toBe('pre-candidate');
    expect(h.node(second).status().role).toBe('follower');
    // The grants are answered: only `first` stands, and wins the very next term.
    h.runUntil(() => h.node(first).status().role === 'leader', base.electionTimeoutMs);
    expect(h.node(first).term).toBe(term + 1);
    expect(h.sentOf('RequestVote', { from: second })).toEqual([]);
    expect(h.node(second).status()).toMatchObject({ role: 'follower', leader: first, term: term + 1 });
  });

  it('a leader cut off from its quorum steps down within one election timeout (+ jitter)', () => {
    const h = elected(['a', 'b', 'c', 'd', 'e'], {}, 5);
    const leader = h.leader();
    const term = h.node(leader).term;
    h.isolate(leader);
    const cutAt = h.now;
    h.runUntil(() => h.node(leader).status().role !== 'leader', 5000);
    expect(h.now - cutAt).toBeLessThanOrEqual(base.electionTimeoutMs + base.electionJitterMs);
    expect(h.node(leader).status()).toMatchObject({ role: 'follower', leader: null, online: false, term });
    // The majority elects a new leader meanwhile, in a higher term.
    h.runUntil(() => h.leaders().length === 1, 10_000);
    expect(h.node(h.leader()).term).toBeGreaterThan(term);
  });

  it('a leader keeps its role while a majority answers, even if one follower is gone', () => {
    const h = elected(['a', 'b', 'c'], {}, 6);
    const leader = h.leader();
    const term = h.node(leader).term;
    h.isolate(h.followers()[0]);
    // Checked all along, not only at the end: stepping down and winning again would also end as leader.
    for (let t = 0; t < 5000; t += 50) {
      h.advance(50);
      expect(h.node(leader).status().role).toBe('leader');
    }
    expect(h.leaders()).toEqual([leader]);
    expect(h.node(leader).term).toBe(term);
  });

  it('without check-quorum an isolated leader stays leader', () => {
    const h = elected(['a', 'b', 'c'], { checkQuorum: false }, 6);
    const leader = h.leader();
    h.isolate(leader);
    h.advance(5000);
    expect(h.node(leader).status().role).toBe('leader');
  });
});
