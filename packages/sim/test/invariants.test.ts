import { describe, expect, it } from 'vitest';
import type { LogEntry, PersistBatch, RaftStatus } from '@meshraft/core';
import { DurableStore } from '../src/durable-store';
import { InvariantMonitor, type MonitoredPeer } from '../src/invariants';

class FakePeer implements MonitoredPeer {
  readonly durable = new DurableStore();
  incarnation = 0;
  constructor(readonly id: string) {}
  liveTermAt(index: number): number | undefined {
    return this.durable.termAt(index);
  }
  liveSnapshotIndex(): number {
    return this.durable.snapshotIndex;
  }
  persist(monitor: InvariantMonitor, batch: PersistBatch): void {
    const { commit, term } = this.durable.hardState;
    const removed = this.durable.apply(batch);
    monitor.onPersist(this, batch, removed, commit, term);
  }
}

const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
const cmd = (index: number, term: number, byte: number): LogEntry => ({ kind: 'command', index, term, data: new Uint8Array([byte]) });

function status(peer: string, role: RaftStatus['role'], term: number, committed = 0, applied = 0): RaftStatus {
  return { peerId: peer, role, term, leader: role === 'leader' ? peer : null, committed, applied, lastIndex: 0, online: true, members: { voters: [], learners: [] }, catchUp: null };
}

describe('InvariantMonitor', () => {
  it('flags two leaders in one term, even at different times', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    const b = new FakePeer('b');
    m.onStatus(a, status('a', 'leader', 3));
    m.onStatus(a, status('a', 'follower', 4));
    m.onStatus(b, status('b', 'leader', 4));
    expect(m.ok).toBe(true);
    m.onStatus(b, status('b', 'leader', 3));
    expect(m.violation?.invariant).toBe('election-safety');
  });

  it('counts a leader for Election Safety once its term is durable: a leader in memory only crashed without a trace', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    const b = new FakePeer('b');
    m.onStatus(a, status('a', 'leader', 7), 6); // elected alone, its term 7 not written yet; then it crashed
    m.onStatus(b, status('b', 'leader', 7), 7);
    expect(m.ok).toBe(true);
    const c = new FakePeer('c');
    m.onStatus(c, status('c', 'leader', 7), 6);
    expect(m.ok).toBe(true);
    m.onStatus(c, status('c', 'leader', 7), 7); // c's term 7 became durable: two leaders of term 7
    expect(m.violation?.invariant).toBe('election-safety');
  });

  it('flags different entries with the same index and term (log matching)', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    const b = new FakePeer('b');
    a.persist(m, { entries: [noop(1, 1), cmd(2, 1, 7)] });
    b.persist(m, { entries: [noop(1, 1), cmd(2, 1, 7)] });
    expect(m.ok).toBe(true);
    const c = new FakePeer('c');
    c.persist(m, { entries: [noop(1, 1), cmd(2, 1, 8)] });
    expect(m.violation?.invariant).toBe('log-matching');
  });

  it('flags an equal (index, term) entry that follows a different predecessor', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    const b = new FakePeer('b');
    a.persist(m, { entries: [noop(1, 1), noop(2, 2), noop(3, 3)] });
    b.persist(m, { entries: [noop(1, 1), noop(2, 1), noop(3, 3)] });
    expect(m.violation?.invariant).toBe('log-matching');
  });

  it('a learner whose copy of an entry committed elsewhere is truncated by a stale leader is not flagged; a voter is', () => {
    const config = (voters: string[], learners: string[]): LogEntry => ({ kind: 'config', index: 1, term: 1, membership: { voters, learners } });
    for (const [who, flagged] of [['l', false], ['v', true]] as const) {
      const m = new InvariantMonitor(() => 0);
      const committer = new FakePeer('a');
      const peer = new FakePeer(who);
      const log = [config(['a', 'b', 'v'], ['l']), cmd(2, 2, 7)];
      committer.persist(m, { entries: log, hardState: { term: 4, vote: null, commit: 2 } });
      peer.persist(m, { entries: log, hardState: { term: 2, vote: null, commit: 1 } });
      // A leader of term 3 that never had entry 2 overwrites it on this peer (its own commit is 1).
      peer.persist(m, { truncateFrom: 2, entries: [noop(2, 3)], hardState: { term: 3, vote: null, commit: 1 } });
      expect(m.violation?.invariant, who).toBe(flagged ? 'committed-changed' : undefined);
    }
  });

  it('flags truncating a committed entry and a decreasing durable commit', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    a.persist(m, { entries: [noop(1, 1), cmd(2, 1, 1)], hardState: { term: 1, vote: null, commit: 2 } });
    expect(m.ok).toBe(true);
    a.persist(m, { truncateFrom: 2, entries: [cmd(2, 2, 9)] });
    expect(m.violation?.invariant).toBe('committed-changed');

    const m2 = new InvariantMonitor(() => 0);
    const b = new FakePeer('b');
    b.persist(m2, { entries: [noop(1, 1)], hardState: { term: 1, vote: null, commit: 1 } });
    b.persist(m2, { entries: [], hardState: { term: 1, vote: null, commit: 0 } });
    expect(m2.violation?.invariant).toBe('commit-monotonic');
  });

  it('flags two peers applying different entries at one index', () => {
    const m = new InvariantMonitor(() => 0);
    m.onApply(new FakePeer('a'), cmd(1, 1, 1), 1);
    m.onApply(new FakePeer('b'), cmd(1, 1, 1), 1);
    expect(m.ok).toBe(true);
    m.onApply(new FakePeer('c'), cmd(1, 2, 5), 2);
    expect(m.violation?.invariant).toBe('state-machine-safety');
  });

  it('flags a leader that lacks an entry committed in an earlier term', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    const b = new FakePeer('b');
    a.persist(m, { entries: [noop(1, 1), cmd(2, 1, 1)] });
    m.onApply(a, cmd(2, 1, 1), 1);
    b.persist(m, { entries: [noop(1, 1)] });
    m.onStatus(b, status('b', 'leader', 1)); // same term as the commit: not (yet) required
    expect(m.ok).toBe(true);
    m.onStatus(b, status('b', 'leader', 2));
    expect(m.violation?.invariant).toBe('leader-completeness');
  });

  it('flags commit or applied going backwards within one incarnation only', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    m.onStatus(a, status('a', 'follower', 1, 5, 5));
    a.incarnation = 1; // restarted: applied may start over from the replay
    m.onStatus(a, status('a', 'follower', 1, 5, 0));
    expect(m.ok).toBe(true);
    m.onStatus(a, status('a', 'follower', 1, 4, 0));
    expect(m.violation?.invariant).toBe('commit-monotonic');

    const applied = new InvariantMonitor(() => 0);
    const b = new FakePeer('b');
    applied.onStatus(b, status('b', 'follower', 1, 5, 5));
    b.incarnation = 1;
    applied.onStatus(b, status('b', 'follower', 1, 5, 0));
    expect(applied.ok).toBe(true);
    applied.onStatus(b, status('b', 'follower', 1, 5, 3));
    applied.onStatus(b, status('b', 'follower', 1, 5, 2));
    expect(applied.violation?.invariant).toBe('applied-monotonic');
  });
});

describe('DurableStore', () => {
  it('applies batches in order and hands out deep copies', () => {
    const s = new DurableStore();
    const entry = cmd(1, 1, 1) as Extract<LogEntry, { kind: 'command' }>;
    s.apply({ entries: [entry, noop(2, 1), noop(3, 2)], hardState: { term: 2, vote: 'a', commit: 2 } });
    entry.data[0] = 99; // the engine mutating its copy must not reach the disk
    const loaded = s.load();
    expect((loaded.entries[0] as typeof entry).data[0]).toBe(1);
    expect(s.committedEntries().map((e) => e.index)).toEqual([1, 2]);
    const removed = s.apply({ truncateFrom: 3, entries: [noop(3, 3)] });
    expect(removed.map((e) => e.term)).toEqual([2]);
    expect(s.entryAt(3)?.term).toBe(3);
    expect(() => s.apply({ entries: [noop(7, 3)] })).toThrow(/after last index 3/);
  });
});
