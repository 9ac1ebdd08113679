// Replication: commit, no-op, the Figure 8 commit rule, conflict truncation, pipelining, batching,
// and safety under duplicated, reordered, lost and stale messages.
import { describe, expect, it } from 'vitest';
import type { AppendEntries } from '../src/messages';
import type { LogEntry, Membership } from '../src/types';
import { elected, EngineHarness, encode, testTimings as base, type InFlight } from './support/engine-harness';

const isAppend = (m: InFlight): m is InFlight & { message: AppendEntries } => m.message.type === 'AppendEntries';
const electedCluster = (ids: string[], config = {}, seed = 1): EngineHarness => elected(ids, { config, seed });

describe('engine: replication', () => {
  it('replicates commands, commits on a majority and applies them everywhere in order', () => {
    const h = electedCluster(['a', 'b', 'c']);
    const leader = h.leader();
    h.propose(leader, 1, ['x', 'y', 'z']);
    expect(h.proposals.get(leader)).toEqual([{ requestId: 1, ok: true, start: 3, end: 5 }]);
    h.advance(300);
    for (const id of ['a', 'b', 'c']) {
      expect(h.appliedCommands(id)).toEqual(['x', 'y', 'z']);
      expect(h.node(id).status()).toMatchObject({ committed: 5, applied: 5, lastIndex: 5 });
    }
    // Every command carries its client tag (seq + i).
    const tags = h.applied.get('b')!.filter((e) => e.kind === 'command').map((e) => (e as { client?: unknown }).client);
    expect(tags).toEqual([0, 1, 2].map((i) => ({ clientId: `client-${leader}`, seq: 1000 + i })));
  });

  it('a new leader appends a no-op of its term; with bugs.noNoopOnElection it does not', () => {
    const h = electedCluster(['a', 'b', 'c']);
    const leader = h.leader();
    const entries = h.disks.get(leader)!.state.entries;
    expect(entries.at(-1)).toMatchObject({ kind: 'noop', term: h.node(leader).term });

    const bugged = new EngineHarness({ ids: ['a'], config: base, bugs: { noNoopOnElection: true } });
    bugged.runUntil(() => bugged.leaders().length === 1);
    bugged.advance(50);
    // Only the bootstrap configuration entry; no no-op.
    expect(bugged.disks.get('a')!.state.entries.map((e) => e.kind)).toEqual(['config']);
  });

  for (const bug of [false, true]) {
    it(`Figure 8: a previous-term entry on a majority is ${bug ? 'wrongly committed (bug on)' : 'not committed by counting replicas'}`, () => {
      const members: Membership = { voters: ['s1', 's2', 's3', 's4', 's5'], learners: [] };
      const h = new EngineHarness({
        ids: members.voters,
        config: { ...base, preVote: false, maxBatchEntries: 1 },
        bugs: bug ? { commitPreviousTerm: true } : undefined,
      });
      const cfg: LogEntry = { kind: 'config', index: 1, term: 1, membership: members };
      const logs: Record<string, LogEntry[]> = {
        s1: [cfg, { kind: 'command', index: 2, term: 2, data: encode('X') }],
        s2: [cfg],
        s3: [cfg],
        s4: [cfg],
        s5: [cfg, { kind: 'command', index: 2, term: 3, data: encode('Y') }],
      };
      for (const id of members.voters) {
        h.disks.get(id)!.state = { hardState: { term: 3, vote: null, commit: 1 }, snapshot: null, entries: logs[id] };
        h.start(id);
      }
      h.drainAll();
      // (c) s1 becomes leader of term 4 with s2 and s3 while s4 and s5 are down.
      h.isolate('s4');
      h.isolate('s5');
      h.node('s1').receive('s2', { type: 'TimeoutNow', term: 3 }, h.now);
      h.drain('s1');
      h.deliverAll((m) => m.message.type.includes('Vote'));
      expect(h.node('s1').status()).toMatchObject({ role: 'leader', term: 4 });
      // s1 brings s2 and s3 up to index 2 (term 2) but its term-4 no-op never reaches them.
      const carriesTerm4 = (m: InFlight) => isAppend(m) && m.message.entries.some((e) => e.term === 4) && h.node(m.to).log.lastIndex() >= 2;
      h.deliverAll((m) => !carriesTerm4(m));
      expect(h.node('s2').log.termAt(2)).toBe(2);
      expect(h.node('s3').log.termAt(2)).toBe(2);
      expect(h.node('s1').status().committed).toBe(bug ? 2 : 1);
      // (d) s1 crashes; s5 (last term 3) wins term 5 and overwrites index 2 everywhere it can.
      h.network = [];
      h.heal();
      h.isolate('s1');
      for (let attempt = 0; attempt < 3 && h.node('s5').status().role !== 'leader'; attempt++) {
        // TimeoutNow lets s5 campaign at once (the first try only teaches it term 4).
        h.node('s5').receive('s1', { type: 'TimeoutNow', term: h.node('s5').term }, h.now);
        h.drain('s5');
        h.deliverAll();
      }
      expect(h.node('s5').status()).toMatchObject({ role: 'leader', term: 5 });
      h.runUntil(() => h.node('s5').status().committed >= 3, 5000);
      h.advance(500);
      for (const id of ['s2', 's3', 's4', 's5']) expect(h.node(id).log.termAt(2)).toBe(3);
      const appliedAt2 = new Set(
        members.voters.flatMap((id) => h.applied.get(id)!.filter((e) => e.index === 2).map((e) => e.term)),
      );
      // Without the bug every peer that applied index 2 applied the same entry; with it they diverge.
      expect(appliedAt2.size).toBe(bug ? 2 : 1);
    });
  }

  it('truncates a deposed leader’s uncommitted suffix and replaces it with the new leader’s entries', () => {
    const h = electedCluster(['a', 'b', 'c'], {}, 4);
    const old = h.leader();
    h.propose(old, 1, ['kept']);
    h.advance(300);
    h.isolate(old);
    h.propose(old, 2, ['lost-1', 'lost-2']); // appended on the old leader only
    h.runUntil(() => h.leaders().some((id) => id !== old), 10_000);
    const fresh = h.leaders().find((id) => id !== old)!;
    h.propose(fresh, 3, ['new']);
    h.advance(300);
    h.heal();
    h.runUntil(() => h.node(old).status().role === 'follower' && h.node(old).status().committed === h.node(fresh).status().committed, 10_000);
    h.advance(300);
    expect(h.appliedCommands(old)).toEqual(['kept', 'new']);
    expect(h.disks.get(old)!.state.entries).toEqual(h.disks.get(fresh)!.state.entries);
    expect(h.readies.some(({ id, ready }) => id === old && ready.persist.truncateFrom !== undefined)).toBe(true);
  });

  it('pipelines at most maxInflightAppends appends per follower, each bounded by maxBatchEntries', () => {
    const h = electedCluster(['a', 'b', 'c'], { maxInflightAppends: 2, maxBatchEntries: 3 });
    const leader = h.leader();
    const follower = h.followers()[0];
    h.propose(leader, 1, Array.from({ length: 20 }, (_, i) => `c${i}`));
    const appends = h.network.filter((m) => isAppend(m) && m.to === follower) as (InFlight & { message: AppendEntries })[];
    expect(appends).toHaveLength(2);
    expect(appends.map((m) => m.message.entries.length)).toEqual([3, 3]);
    expect(appends[1].message.prevLogIndex).toBe(appends[0].message.prevLogIndex + 3);
    h.advance(500);
    expect(h.appliedCommands(follower)).toHaveLength(20);
  });

  it('coalesces: while an append is out, later proposals wait for its acknowledgement and leave in one append', () => {
    const h = electedCluster(['a', 'b', 'c']);
    const leader = h.leader();
    h.advance(300);
    const [b, c] = h.followers();
    const withEntries = (to: string) => h.network.filter((m) => isAppend(m) && m.to === to && m.message.entries.length > 0) as (InFlight & { message: AppendEntries })[];
    h.propose(leader, 1, ['first']);
    expect(withEntries(b)).toHaveLength(1);
    // Three more proposals, each its own Ready, while the first append is unacknowledged: nothing
    // new leaves (before coalescing, each went out as its own append).
    h.propose(leader, 2, ['second']);
    h.propose(leader, 3, ['third']);
    h.propose(leader, 4, ['fourth']);
    expect(withEntries(b)).toHaveLength(1);
    expect(withEntries(c)).toHaveLength(1);
    // b acknowledges: the next append to b carries all three at once.
    h.deliverAll((m) => m.to === b && isAppend(m));
    h.deliverAll((m) => m.from === b && m.to === leader);
    const next = withEntries(b);
    expect(next).toHaveLength(1);
    expect(next[0].message.entries.length).toBe(3);
    h.advance(300);
    for (const id of [leader, b, c]) expect(h.appliedCommands(id)).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('coalescing never holds back a newer commit index: the follower that did not acknowledge learns it at once', () => {
    const h = electedCluster(['a', 'b', 'c']);
    const leader = h.leader();
    h.advance(300);
    const [b, c] = h.followers();
    h.propose(leader, 1, ['first']);
    h.propose(leader, 2, ['second']);
    // b's acknowledgement commits 'first' (leader + b): c, whose append is still out, gets the
    // waiting entry with the new commit index without waiting for its own acknowledgement.
    h.deliverAll((m) => m.to === b && isAppend(m));
    h.deliverAll((m) => m.from === b && m.to === leader);
    const committed = h.node(leader).status().committed;
    const toC = h.network.filter((m) => isAppend(m) && m.to === c) as (InFlight & { message: AppendEntries })[];
    expect(toC.at(-1)!.message.leaderCommit).toBe(committed);
    h.deliverAll((m) => m.to === c && isAppend(m));
    expect(h.appliedCommands(c)).toContain('first');
  });

  it('bounds batches by bytes but always sends at least one entry', () => {
    const h = electedCluster(['a', 'b'], { maxBatchBytes: 10 });
    const leader = h.leader();
    const follower = h.followers()[0];
    const from = h.sent.length;
    h.propose(leader, 1, ['aaaa', 'bbbb', 'cccc', 'x'.repeat(100), 'dd']);
    h.advance(500);
    const sizes = h
      .sentOf('AppendEntries', { from: leader, to: follower })
      .filter((m) => h.sent.indexOf(m) >= from)
      .map((m) => m.message.entries.length)
      .filter((n) => n > 0);
    expect(sizes).toEqual([2, 1, 1, 1]);
    expect(h.appliedCommands(follower)).toEqual(['aaaa', 'bbbb', 'cccc', 'x'.repeat(100), 'dd']);
  });

  it('ignores duplicated and reordered appends: no truncation, same log', () => {
    const h = electedCluster(['a', 'b'], { maxBatchEntries: 2 });
    const leader = h.leader();
    const follower = h.followers()[0];
    h.propose(leader, 1, ['1', '2', '3', '4']);
    const appends = h.network.filter((m) => isAppend(m) && m.to === follower);
    expect(appends.length).toBeGreaterThanOrEqual(2);
    h.deliverAll();
    const logBefore = h.disks.get(follower)!.state.entries.slice();
    const readiesBefore = h.readies.length;
    // Redeliver the older appends after the newer ones, twice.
    for (const m of [...appends].reverse().concat(appends)) h.node(follower).receive(m.from, m.message, h.now);
    h.drain(follower);
    expect(h.disks.get(follower)!.state.entries).toEqual(logBefore);
    const later = h.readies.slice(readiesBefore).filter((r) => r.id === follower);
    expect(later.every(({ ready }) => ready.persist.truncateFrom === undefined && ready.persist.entries.length === 0)).toBe(true);
    h.deliverAll();
    h.advance(300);
    expect(h.appliedCommands(follower)).toEqual(['1', '2', '3', '4']);
  });

  it('recovers lost appends through heartbeat responses', () => {
    const h = electedCluster(['a', 'b', 'c']);
    const leader = h.leader();
    const follower = h.followers()[0];
    h.propose(leader, 1, ['p', 'q']);
    expect(h.dropWhere((m) => isAppend(m) && m.to === follower)).toHaveLength(1);
    h.advance(400);
    expect(h.appliedCommands(follower)).toEqual(['p', 'q']);
  });

  it('a stale leader learns the newer term from a follower’s answer and steps down', () => {
    const h = electedCluster(['a', 'b', 'c'], { checkQuorum: false }, 9);
    const old = h.leader();
    h.isolate(old);
    h.runUntil(() => h.leaders().some((id) => id !== old), 10_000);
    expect(h.node(old).status().role).toBe('leader'); // no check-quorum: it does not know yet
    h.heal();
    h.advance(300);
    expect(h.leaders()).toHaveLength(1);
    expect(h.node(old).status().role).toBe('follower');
    expect(h.node(old).term).toBe(h.node(h.leader()).term);
  });

  it('learners are replicated to but never counted', () => {
    const h = new EngineHarness({ ids: ['a', 'l1', 'l2'], config: base, bootstrap: { voters: ['a'], learners: ['l1', 'l2'] } });
    h.runUntil(() => h.leaders().length === 1);
    expect(h.leader()).toBe('a');
    h.isolate('l1');
    h.isolate('l2');
    h.propose('a', 1, ['solo']);
    h.advance(100);
    // A lone voter commits without its learners.
    expect(h.appliedCommands('a')).toEqual(['solo']);
    h.heal();
    h.advance(500);
    expect(h.appliedCommands('l1')).toEqual(['solo']);
    expect(h.node('l2').status()).toMatchObject({ leader: 'a', online: true, role: 'follower' });
  });
});
