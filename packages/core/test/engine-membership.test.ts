// Membership through the log: join as learner, promotion up to maxVoters, observers
// never promoted, graceful leave (follower and leader), auto-removal, and what a removed peer does.
import { describe, expect, it } from 'vitest';
import type { LogEntry, Membership, PeerId } from '../src/types';
import { seededRandom } from '../src/rng';
import { EngineHarness, fastTimings } from './support/engine-harness';

const base = { ...fastTimings, autoRemoveAfterMs: 3000 };
const solo = (id: PeerId): Membership => ({ voters: [id], learners: [] });

/** A group bootstrapped by `first` alone; the others join it. */
function growingGroup(first: PeerId, joiners: PeerId[], config = {}, preferences = {}): EngineHarness {
  const h = new EngineHarness({ ids: [first], config: { ...base, ...config }, bootstrapFor: solo, preferences });
  h.runUntil(() => h.leaders().length === 1, 5000);
  for (const id of joiners) h.addPeer(id, null);
  h.connectAll();
  return h;
}

const configs = (h: EngineHarness, id: PeerId): Membership[] =>
  h.disks.get(id)!.state.entries.filter((e): e is Extract<LogEntry, { kind: 'config' }> => e.kind === 'config').map((e) => e.membership);

const everyoneSees = (h: EngineHarness, ids: PeerId[], check: (m: Membership) => boolean) =>
  ids.every((id) => check(h.node(id).status().members) && h.node(id).status().committed === h.node(h.leader()).status().committed);

describe('engine: membership through the log', () => {
  it('a new peer joins as a learner, is promoted once caught up, and everyone converges on one config', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.propose('a', 1, ['x']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    expect([...h.node('a').status().members.voters].sort()).toEqual(['a', 'b', 'c']);
    // Every change is single-server, and each joiner was a learner before it voted.
    const history = configs(h, 'a');
    for (let i = 1; i < history.length; i++) {
      const before = new Set([...history[i - 1].voters, ...history[i - 1].learners]);
      const after = new Set([...history[i].voters, ...history[i].learners]);
      const votersChanged = history[i].voters.filter((v) => !history[i - 1].voters.includes(v)).length + history[i - 1].voters.filter((v) => !history[i].voters.includes(v)).length;
      expect(votersChanged + Math.abs(after.size - before.size)).toBeGreaterThanOrEqual(1);
      expect(votersChanged).toBeLessThanOrEqual(1);
    }
    for (const id of ['b', 'c']) {
      const firstSeen = history.findIndex((m) => m.learners.includes(id) || m.voters.includes(id));
      expect(history[firstSeen].learners).toContain(id);
    }
    h.propose('c', 2, ['y']);
    h.advance(500);
    for (const id of ['a', 'b', 'c']) expect(h.sm.get(id)).toEqual(['x', 'y']);
  });

  it('promotes only up to maxVoters; the rest stay learners, and quorum ignores them', () => {
    const h = growingGroup('a', ['b', 'c', 'd', 'e'], { maxVoters: 3 });
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c', 'd', 'e'], (m) => m.voters.length === 3 && m.learners.length === 2), 30_000);
    h.advance(3000);
    const m = h.node('a').status().members;
    expect(m.voters).toHaveLength(3);
    // Cut both learners off: the three voters still commit.
    for (const learner of m.learners) h.isolate(learner);
    const leader = h.leader();
    h.propose(leader, 1, ['still-commits']);
    h.advance(300);
    expect(h.sm.get(leader)).toEqual(['still-commits']);
  });

  it('a forward already sent when its peer learns it was removed fails as an unknown outcome (timeout): the leader may have appended it', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    const leaver = h.followers()[0];
    h.propose(leaver, 7, ['maybe-committed']);
    h.drain(leaver);
    // The leader appends the forwarded command; its answer is lost.
    expect(h.deliverOne((m) => m.from === leaver && m.message.type === 'ForwardCommands')).toBe(true);
    h.dropWhere((m) => m.message.type === 'ForwardCommandsResponse');
    h.node(leaver).leave(h.now);
    h.drain(leaver);
    h.runUntil(() => h.node(leaver).status().removed === true, 4000);
    expect(h.proposals.get(leaver)!.find((r) => r.requestId === 7)).toEqual({ requestId: 7, ok: false, error: 'timeout' });
    // It was appended: the caller must not be told nothing was committed.
    h.advance(500);
    expect(h.sm.get(h.leader())).toContain('maybe-committed');
  });

  it('observers join as learners and are never promoted', () => {
    const h = growingGroup('a', ['o', 'b'], {}, { o: 'observer' });
    h.runUntil(() => everyoneSees(h, ['a', 'o', 'b'], (m) => m.voters.length === 2 && m.learners.includes('o')), 20_000);
    h.advance(5000);
    expect(h.node('a').status().members).toEqual({ voters: ['a', 'b'], learners: ['o'] });
    expect(h.node('o').status()).toMatchObject({ online: true, role: 'follower' });
  });

  it('a follower leaves: it is removed through the log, stops taking part and its proposals fail', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    const leaver = h.followers()[0];
    h.node(leaver).leave(h.now);
    h.drain(leaver);
    const rest = ['a', 'b', 'c'].filter((id) => id !== leaver);
    h.runUntil(() => h.node(leaver).status().removed === true, 10_000);
    h.runUntil(() => everyoneSees(h, rest, (m) => m.voters.length === 2 && !m.learners.includes(leaver)), 10_000);
    expect(h.node(leaver).status()).toMatchObject({ online: false, removed: true });
    h.propose(leaver, 7, ['nope']);
    expect(h.proposals.get(leaver)!.at(-1)).toEqual({ requestId: 7, ok: false, error: 'removed' });
    const term = h.node(leaver).term;
    h.advance(5000);
    expect(h.node(leaver).term).toBe(term); // never campaigns
    h.propose(h.leader(), 8, ['two-voters-commit']);
    h.advance(300);
    for (const id of rest) expect(h.sm.get(id)).toEqual(['two-voters-commit']);
  });

  it('a leader leaves: it hands leadership over first, then the new leader removes it', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    const old = h.leader();
    const oldTerm = h.node(old).term;
    h.node(old).leave(h.now);
    h.drain(old);
    h.runUntil(() => h.node(old).status().removed === true, 10_000);
    const fresh = h.leader();
    expect(fresh).not.toBe(old);
    expect(h.node(fresh).term).toBeGreaterThan(oldTerm);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'].filter((id) => id !== old), (m) => m.voters.length === 2 && !m.voters.includes(old)), 10_000);
  });

  it('auto-removes a voter silent for autoRemoveAfterMs (never earlier), and a removed peer that comes back learns it', () => {
    const h = growingGroup('a', ['b', 'c', 'd']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c', 'd'], (m) => m.voters.length === 4), 20_000);
    const victim = h.followers()[0];
    const start = h.now;
    h.disconnect(victim);
    h.runUntil(() => !h.node(h.leader()).status().members.voters.includes(victim), 20_000);
    expect(h.now - start).toBeGreaterThanOrEqual(base.autoRemoveAfterMs);
    const rest = ['a', 'b', 'c', 'd'].filter((id) => id !== victim);
    h.runUntil(() => everyoneSees(h, rest, (m) => m.voters.length === 3), 10_000);
    // It reconnects: the leader replicates the log to it, so it sees its removal and stays out.
    h.heal();
    h.connectAll();
    h.runUntil(() => h.node(victim).status().removed === true, 10_000);
    h.advance(3000);
    expect(h.node(h.leader()).status().members.voters).toHaveLength(3);
    expect(h.node(victim).status().role).toBe('follower');
  });

  it('an answer to its JoinRequest from a peer it did not ask is ignored: a forged "added at" index cannot keep it from learning its removal', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    h.addPeer('d', null);
    h.connectAll();
    h.runUntil(() => h.network.some((m) => m.from === 'd' && m.message.type === 'JoinRequest'), 5000);
    const request = h.network.find((m) => m.from === 'd' && m.message.type === 'JoinRequest')!.message as { requestId: number };
    // 'z' (never asked) answers first, claiming d was added at an index the log will not reach.
    h.node('d').receive('z', { type: 'MembershipResponse', requestId: request.requestId, ok: true, index: 1_000_000 }, h.now);
    h.drain('d');
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c', 'd'], (m) => m.voters.includes('d')), 20_000);
    // d is auto-removed while cut off; back, it must see its removal.
    h.disconnect('d');
    h.runUntil(() => { const m = h.node(h.leader()).status().members; return !m.voters.includes('d') && !m.learners.includes('d'); }, 20_000);
    h.heal();
    h.connectAll();
    h.runUntil(() => h.node('d').status().removed === true, 10_000);
  });

  it('does not auto-remove while the leader cannot reach a quorum (it steps down instead)', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    const leader = h.leader();
    for (const id of h.followers()) h.disconnect(id);
    h.advance(base.autoRemoveAfterMs * 2);
    expect(h.node(leader).status().members.voters).toHaveLength(3);
    expect(h.node(leader).status().role).not.toBe('leader');
  });

  it('three peers that each saw an empty room start at once: one configuration, never two leaders in a term', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const ids = ['p1', 'p2', 'p3'];
      const h = new EngineHarness({ ids, seed, config: base, bootstrapFor: solo });
      h.connectAll();
      const leaderOfTerm = new Map<number, PeerId>();
      const check = () => {
        for (const id of ids) {
          const s = h.node(id).status();
          if (s.role !== 'leader') continue;
          expect({ seed, term: s.term, leader: leaderOfTerm.get(s.term) ?? id }).toEqual({ seed, term: s.term, leader: id });
          leaderOfTerm.set(s.term, id);
        }
        return everyoneSees(h, ids, (m) => m.voters.length === 3);
      };
      h.runUntil(check, 30_000);
      // One lineage: everyone's log starts with the same bootstrap configuration entry.
      const firsts = ids.map((id) => JSON.stringify(h.disks.get(id)!.state.entries[0]));
      expect(new Set(firsts).size).toBe(1);
      expect(new Set(ids.map((id) => JSON.stringify(h.node(id).status().members))).size).toBe(1);
    }
  });

  it('bootstrappers and joiners started at once: one configuration, the smallest bootstrapper\'s, however the ids fall', () => {
    // Joiners answer a deferring bootstrapper 'unconfigured', so a bootstrapper with only joiners
    // below it campaigns at once; one with a smaller bootstrapper below it still waits to be added.
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const founders = ids.filter(() => random() < 0.4);
      if (founders.length === 0) founders.push(ids[Math.floor(random() * ids.length)]);
      const h = new EngineHarness({ ids, seed, config: base, bootstrapFor: (id) => (founders.includes(id) ? solo(id) : undefined) });
      h.connectAll();
      const leaderOfTerm = new Map<number, PeerId>();
      h.runUntil(() => {
        for (const id of ids) {
          const s = h.node(id).status();
          if (s.role !== 'leader') continue;
          expect({ seed, term: s.term, leader: leaderOfTerm.get(s.term) ?? id }).toEqual({ seed, term: s.term, leader: id });
          leaderOfTerm.set(s.term, id);
        }
        return everyoneSees(h, ids, (m) => m.voters.length + m.learners.length === ids.length);
      }, 30_000);
      const firsts = ids.map((id) => JSON.stringify(h.disks.get(id)!.state.entries[0]));
      expect({ seed, lineages: new Set(firsts).size }).toEqual({ seed, lineages: 1 });
      expect(h.disks.get('p1')!.state.entries[0]).toMatchObject({ kind: 'config', membership: { voters: [[...founders].sort()[0]] } });
    }
  });

  it('reports the voters a change removed (status.priorVoters) until the change commits', () => {
    const h = growingGroup('a', ['b', 'c']);
    h.runUntil(() => everyoneSees(h, ['a', 'b', 'c'], (m) => m.voters.length === 3), 20_000);
    const leader = h.leader();
    const [cutOff, leaving] = h.followers();
    expect(h.node(leader).status().priorVoters).toBeUndefined();
    // The leader removes the departed voter, but the only other voter cannot acknowledge the change.
    h.isolate(cutOff!);
    h.depart(leaving!);
    h.runUntil(() => !h.node(leader).status().members.voters.includes(leaving!), 5000);
    expect(h.node(leader).status().priorVoters).toEqual([leaving]);
    expect(h.node(cutOff!).status().priorVoters).toBeUndefined(); // it never got the change
    h.heal();
    h.runUntil(() => h.node(cutOff!).status().members.voters.length === 2 && h.node(leader).status().priorVoters === undefined, 5000);
    h.advance(500);
    expect(h.node(cutOff!).status().priorVoters).toBeUndefined();
  });

  it('a peer with a log never re-bootstraps', () => {
    const h = growingGroup('a', ['b']);
    h.runUntil(() => everyoneSees(h, ['a', 'b'], (m) => m.voters.length === 2), 20_000);
    const before = h.disks.get('b')!.state.entries[0];
    h.removePeer('b');
    h.start('b', solo('b')); // told the room is empty again: it must ignore that
    h.connectAll();
    h.advance(3000);
    expect(h.disks.get('b')!.state.entries[0]).toEqual(before);
    expect(h.node('b').status().members.voters).toContain('a');
  });
});
