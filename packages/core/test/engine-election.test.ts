// Elections: timeouts, bootstrap delay, one leader per term, persistence ordering, preferences.
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import { seededRandom } from '../src/rng';
import type { Membership } from '../src/types';
import { EngineHarness, testTimings as base } from './support/engine-harness';

/** A fresh engine at time 0: `bootstrap` as given (none: it waits to be added). */
function freshNode(id: string, bootstrap?: Membership): RaftNode {
  const state = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
  return new RaftNode({ id, config: defaultRaftConfig, preference: 'normal', random: seededRandom(5), now: 0, state, bootstrap });
}

/** Delivers every message `from` has ready for `to`; returns their types. */
function deliver(from: RaftNode, to: RaftNode, now: number): string[] {
  const messages = from.ready().messages.filter((m) => m.to === to.id);
  for (const { message } of messages) to.receive(from.id, message, now);
  return messages.map((m) => m.message.type);
}

describe('engine: elections', () => {
  it('a lone peer (the only voter) elects itself at its first tick; one of several voters waits the bootstrap delay', () => {
    const h = new EngineHarness({ ids: ['a'], config: base });
    h.runUntil(() => h.leaders().length === 1, 1000);
    // Nobody else can lead its configuration: no election timeout to wait for.
    expect(h.now).toBeLessThan(base.electionTimeoutMs!);
    const status = h.node('a').status();
    expect(status).toMatchObject({ role: 'leader', leader: 'a', term: 1, online: true });
    // The bootstrap configuration is logged, then the no-op; both commit on a single voter.
    h.advance(10);
    expect(h.applied.get('a')!.map((e) => e.kind)).toEqual(['config', 'noop']);
    expect(h.node('a').status().committed).toBe(2);

    // Earliest possible first timeout with other voters: electionTimeout + bootstrapDelay = 1500 ms.
    const three = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed: 3 });
    three.advance(1490);
    expect(three.leaders()).toEqual([]);
    expect(['a', 'b', 'c'].every((id) => three.node(id).status().term === 0)).toBe(true);
    three.runUntil(() => three.leaders().length === 1, 3000);
    expect(three.now).toBeGreaterThanOrEqual(1500);
  });

  it('a lone bootstrapper stores its first term in the same batch as its configuration entry', () => {
    // The start-up rules read a slot with a stored term but no entries as one that heard of a group
    // (founding.ts holdsGroupData): that holds only if a bootstrap never stores its term alone.
    const node = freshNode('a', { voters: ['a'], learners: [] });
    node.tick(0);
    const first = node.ready();
    expect(first.persist.hardState).toMatchObject({ term: 1, vote: 'a' });
    expect(first.persist.entries.map((e) => [e.index, e.kind])).toEqual([
      [1, 'config'],
      [2, 'noop'],
    ]);
  });

  it('a lone bootstrapper defers to a connected peer with a smaller id, unless that peer says it belongs to no group', () => {
    // Several peers told the room was empty may bootstrap at once: only the smallest id should lead.
    for (const rivalBootstrapped of [true, false]) {
      const m = freshNode('m', { voters: ['m'], learners: [] });
      const a = freshNode('a', rivalBootstrapped ? { voters: ['a'], learners: [] } : undefined);
      m.peerUp('a', 0);
      a.peerUp('m', 0);
      m.tick(1);
      expect(m.status().role).toBe('follower');
      // It asks the smaller peer to add it instead.
      expect(deliver(m, a, 2)).toEqual(['JoinRequest']);
      expect(deliver(a, m, 3)).toContain('MembershipResponse');
      m.tick(4);
      if (rivalBootstrapped) {
        // A rival that founded a group of its own: wait for it to lead (one election timeout at most).
        expect(m.status().term).toBe(0);
        m.tick(defaultRaftConfig.electionTimeoutMs - 1);
        expect(m.status().term).toBe(0);
      } else {
        // 'a' waits to be added and founds nothing: no reason to wait a whole election timeout.
        expect(m.status()).toMatchObject({ role: 'leader', term: 1 });
      }
    }
  });

  it('three peers elect exactly one leader, and all followers recognise it', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed: 7 });
    h.runUntil(() => h.leaders().length === 1 && h.followers().every((id) => h.node(id).status().leader !== null), 5000);
    const leader = h.leader();
    h.advance(2000);
    expect(h.leaders()).toEqual([leader]);
    for (const id of ['a', 'b', 'c']) expect(h.node(id).status()).toMatchObject({ leader, online: true, term: h.node(leader).term });
  });

  it('persists the vote in the same Ready that carries the vote response', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: { ...base, preVote: false }, seed: 3 });
    h.runUntil(() => h.leaders().length === 1, 5000);
    const grants = h.readies.filter(({ ready }) =>
      ready.messages.some((m) => m.message.type === 'RequestVoteResponse' && m.message.vote === 'granted'),
    );
    expect(grants.length).toBeGreaterThan(0);
    for (const { ready } of grants) {
      const response = ready.messages.find((m) => m.message.type === 'RequestVoteResponse')!;
      expect(ready.persist.hardState).toBeDefined();
      expect(ready.persist.hardState!.vote).toBe(response.to);
      expect(ready.persist.hardState!.term).toBe((response.message as { term: number }).term);
    }
    // And the candidate's own term + self-vote go out with its RequestVotes.
    const campaigns = h.readies.filter(({ ready }) => ready.messages.some((m) => m.message.type === 'RequestVote'));
    for (const { id, ready } of campaigns) expect(ready.persist.hardState).toMatchObject({ vote: id });
  });

  it('bugs.forgetVote persists vote: null', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: { ...base, preVote: false }, seed: 3, bugs: { forgetVote: true } });
    h.runUntil(() => h.leaders().length === 1, 5000);
    for (const disk of h.disks.values()) expect(disk.state.hardState.vote).toBeNull();
  });

  for (const bug of [false, true]) {
    it(`a voter restarted after voting ${bug ? 'votes twice in one term with bugs.forgetVote' : 'does not vote twice in one term'}`, () => {
      const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: { ...base, preVote: false }, bugs: bug ? { forgetVote: true } : undefined });
      const ask = (candidate: string) => {
        h.network = [];
        h.node('c').receive(candidate, { type: 'RequestVote', term: 5, lastLogIndex: 0, lastLogTerm: 0 }, h.now);
        h.drain('c');
        return h.network.map((m) => m.message);
      };
      expect(ask('a')).toEqual([{ type: 'RequestVoteResponse', term: 5, vote: 'granted' }]);
      h.start('c'); // crash and restart from disk
      expect(ask('b')).toEqual([{ type: 'RequestVoteResponse', term: 5, vote: bug ? 'granted' : 'denied' }]);
    });
  }

  it('a restarted peer keeps its term and vote', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed: 5 });
    h.runUntil(() => h.leaders().length === 1, 5000);
    const leader = h.leader();
    // A follower that voted for the leader in its term: the vote must survive the restart.
    h.runUntil(() => h.followers().some((id) => h.node(id).vote === leader), 5000);
    const follower = h.followers().find((id) => h.node(id).vote === leader)!;
    const before = h.node(follower).status();
    const vote = h.node(follower).vote;
    expect(vote).toBe(leader);
    h.start(follower);
    expect(h.node(follower).term).toBe(before.term);
    expect(h.node(follower).vote).toBe(vote);
  });

  it('an observer never campaigns and answers vote requests with abstained', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'o'], config: base, preferences: { o: 'observer' } });
    expect(h.node('o').status().members).toEqual({ voters: ['a', 'b'], learners: ['o'] });
    // Cut the two voters off each other: only the observer could run, and it never does.
    h.cut('a', 'b');
    h.cut('b', 'a');
    h.advance(10_000);
    expect(h.node('o').status().role).toBe('follower');
    expect(h.sentOf(['PreVote', 'RequestVote'], { from: 'o' })).toEqual([]);
    // Two voters apart: neither reaches a majority of 2 (an abstainer never shrinks the denominator).
    expect(h.leaders()).toEqual([]);
    h.node('o').receive('a', { type: 'RequestVote', term: h.node('a').term + 1, lastLogIndex: 9, lastLogTerm: 9 }, h.now);
    h.node('o').receive('b', { type: 'PreVote', term: h.node('b').term + 5, lastLogIndex: 9, lastLogTerm: 9 }, h.now);
    h.drain('o');
    const answers = h.network.filter((m) => m.from === 'o').map((m) => m.message);
    expect(answers.map((m) => m.type)).toEqual(['RequestVoteResponse', 'PreVoteResponse']);
    for (const answer of answers) expect(answer).toMatchObject({ vote: 'abstained' });
    h.heal();
    h.runUntil(() => h.leaders().length === 1, 10_000);
    expect(h.leader()).not.toBe('o');
  });

  it('an observer listed as a voter still abstains and never campaigns; the rest elect with a majority of 3', () => {
    const h = new EngineHarness({
      ids: ['a', 'b', 'o'],
      config: base,
      preferences: { o: 'observer' },
      bootstrap: { voters: ['a', 'b', 'o'], learners: [] },
    });
    h.runUntil(() => h.leaders().length === 1, 10_000);
    h.advance(5000);
    expect(h.leader()).not.toBe('o');
    const answers = h.sentOf(['PreVoteResponse', 'RequestVoteResponse'], { from: 'o' });
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer.message.vote).toBe('abstained');
    expect(h.sentOf(['PreVote', 'RequestVote'], { from: 'o' })).toEqual([]);
  });

  it('an observer alone with the bootstrap delay long past still never leads', () => {
    const h = new EngineHarness({ ids: ['o'], config: base, preferences: { o: 'observer' }, bootstrap: { voters: [], learners: ['o'] } });
    h.advance(20_000);
    expect(h.node('o').status().role).toBe('follower');
    expect(h.trace).toEqual([]);
  });

  it('a reluctant peer loses elections to normal peers', () => {
    let reluctantWins = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const h = new EngineHarness({ ids: ['r', 'n1', 'n2'], config: base, seed, preferences: { r: { reluctant: 3 } } });
      h.runUntil(() => h.leaders().length === 1, 10_000);
      if (h.leader() === 'r') reluctantWins++;
    }
    expect(reluctantWins).toBe(0);
  });

  it('a candidate whose log is behind gets denied by a majority and returns to follower', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: { ...base, preVote: false } });
    // a and b hold an entry of term 1; c's log is empty.
    for (const id of ['a', 'b']) {
      h.disks.get(id)!.state = {
        hardState: { term: 1, vote: null, commit: 0 },
        snapshot: null,
        entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b', 'c'], learners: [] } }],
      };
      h.start(id);
    }
    h.disks.get('c')!.state.hardState = { term: 1, vote: null, commit: 0 };
    h.start('c');
    // TimeoutNow makes c campaign at once (term 2).
    h.node('c').receive('a', { type: 'TimeoutNow', term: 1 }, h.now);
    h.drain('c');
    expect(h.node('c').status()).toMatchObject({ role: 'candidate', term: 2 });
    h.deliverAll();
    const answers = h.sentOf('RequestVoteResponse', { to: 'c' });
    expect(answers).toHaveLength(2);
    for (const answer of answers) expect(answer.message.vote).toBe('denied');
    expect(h.node('c').status()).toMatchObject({ role: 'follower', term: 2 });
  });

  it('is deterministic: same seed, same messages (whole message values, not only their descriptions)', () => {
    const run = (seed: number) => {
      const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed });
      h.advance(3000);
      h.propose(h.leader(), 1, ['one', 'two']);
      h.advance(500);
      return h;
    };
    const first = run(42);
    expect(first.sent.length).toBeGreaterThan(10);
    const again = run(42);
    expect(again.sent).toEqual(first.sent);
    expect(again.trace).toEqual(first.trace);
    expect(run(43).trace).not.toEqual(first.trace);
  });
});
