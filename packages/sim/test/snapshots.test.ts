// Snapshot support of the simulator: the KV image (registers and exactly-once table), the durable
// store applying snapshot + truncation atomically, and the monitor's checks around compaction.
import { describe, expect, it } from 'vitest';
import type { LogEntry, PersistBatch, RaftStatus, Snapshot } from '@meshraft/core';
import { DurableStore } from '../src/durable-store';
import { InvariantMonitor, type MonitoredPeer } from '../src/invariants';
import { encodeKvCommand, type KvCommand } from '../src/kv-model';
import { KvSnapshotError, KvStore } from '../src/kv-store';

const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
const put = (index: number, term: number, key: string, value: string, seq?: number): LogEntry => {
  const command: KvCommand = { kind: 'put', key, value };
  return seq === undefined
    ? { kind: 'command', index, term, data: encodeKvCommand(command) }
    : { kind: 'command', index, term, data: encodeKvCommand(command), client: { clientId: 'c1', seq } };
};
const snap = (index: number, term: number, data = new Uint8Array([1])): Snapshot => ({ meta: { index, term, membership: { voters: ['a'], learners: [] } }, data });

class FakePeer implements MonitoredPeer {
  readonly durable = new DurableStore();
  incarnation = 0;
  compactedTo = 0;
  constructor(readonly id: string) {}
  liveTermAt(index: number): number | undefined {
    return index < this.compactedTo ? undefined : this.durable.termAt(index);
  }
  liveSnapshotIndex(): number {
    return this.compactedTo;
  }
  persist(monitor: InvariantMonitor, batch: PersistBatch): void {
    const { commit, term } = this.durable.hardState;
    monitor.onPersist(this, batch, this.durable.apply(batch), commit, term);
  }
}

function leaderStatus(peer: string, term: number): RaftStatus {
  return { peerId: peer, role: 'leader', term, leader: peer, committed: 0, applied: 0, lastIndex: 0, online: true, members: { voters: [], learners: [] }, catchUp: null };
}

describe('KvStore snapshots', () => {
  it('round-trips registers, the exactly-once table and the applied index', () => {
    const kv = new KvStore();
    kv.apply(put(1, 1, 'x', 'one', 1));
    kv.apply(noop(2, 1));
    kv.apply(put(3, 1, 'y', 'two'));
    const copy = KvStore.restore(kv.snapshot());
    expect(copy.fingerprint()).toBe(kv.fingerprint());
    expect(copy.appliedIndex).toBe(3);
    expect(copy.resultFor({ clientId: 'c1', seq: 1 })).toEqual({ kind: 'put' });
    // A retry of an applied command is still skipped after the restore (exactly once).
    copy.apply(put(4, 2, 'x', 'again', 1));
    expect(copy.get('x')).toBe('one');
    expect(copy.duplicatesSkipped).toBe(1);
  });

  it('rejects bytes that are not an image with a typed error', () => {
    expect(() => KvStore.restore(new Uint8Array([0xff, 0x00]))).toThrow(KvSnapshotError);
    expect(() => KvStore.restore(new TextEncoder().encode('{"v":1,"applied":-1,"data":[],"results":[]}'))).toThrow(KvSnapshotError);
    expect(() => KvStore.restore(new TextEncoder().encode('{"v":1,"applied":2,"data":[["k",3]],"results":[]}'))).toThrow(KvSnapshotError);
  });
});

describe('DurableStore with snapshots', () => {
  it('keeps the entries after a snapshot its log agrees with, and drops a log that disagrees (§7)', () => {
    const s = new DurableStore();
    s.apply({ entries: [noop(1, 1), noop(2, 1), noop(3, 2)], hardState: { term: 2, vote: null, commit: 2 } });
    s.apply({ snapshot: snap(2, 1), entries: [] });
    expect(s.load().entries.map((e) => e.index)).toEqual([3]);
    expect(s.termAt(2)).toBe(1);
    expect(s.committedEntries()).toEqual([]);
    const other = new DurableStore();
    other.apply({ entries: [noop(1, 1), noop(2, 1)] });
    other.apply({ snapshot: snap(2, 5), entries: [] });
    expect(other.lastIndex()).toBe(2);
    expect(other.load().entries).toEqual([]);
  });

  it('applies an install (snapshot + truncateFrom + entries) as one unit; a bad batch changes nothing', () => {
    const s = new DurableStore();
    s.apply({ entries: [noop(1, 1), noop(2, 1), noop(3, 1)], hardState: { term: 1, vote: null, commit: 1 } });
    const removed = s.apply({ snapshot: snap(5, 2), truncateFrom: 6, entries: [noop(6, 2)], hardState: { term: 2, vote: null, commit: 5 } });
    expect(removed).toEqual([]); // nothing after index 5 was held
    expect(s.snapshotIndex).toBe(5);
    expect(s.load().entries.map((e) => e.index)).toEqual([6]);
    const before = JSON.stringify(s.load());
    expect(() => s.apply({ snapshot: snap(9, 3), truncateFrom: 10, entries: [noop(12, 3)], hardState: { term: 3, vote: null, commit: 9 } })).toThrow(/after last index 9/);
    expect(JSON.stringify(s.load())).toBe(before); // all or nothing
  });
});

describe('InvariantMonitor with compaction', () => {
  it('does not require a new leader to hold entries below its compaction point', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    a.persist(m, { entries: [noop(1, 1), noop(2, 1), noop(3, 1)], hardState: { term: 1, vote: null, commit: 3 } });
    const b = new FakePeer('b');
    b.persist(m, { snapshot: snap(2, 1), truncateFrom: 3, entries: [noop(3, 1)] });
    b.compactedTo = 2;
    m.onStatus(b, leaderStatus('b', 2));
    expect(m.ok).toBe(true);
    // ...but it must hold the committed entries after it.
    const c = new FakePeer('c');
    c.persist(m, { snapshot: snap(2, 1), truncateFrom: 3, entries: [] });
    c.compactedTo = 2;
    m.onStatus(c, leaderStatus('c', 3));
    expect(m.violation?.invariant).toBe('leader-completeness');
  });

  it('flags a snapshot whose term disagrees with the committed entry at its index', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    a.persist(m, { entries: [noop(1, 1), noop(2, 1)], hardState: { term: 1, vote: null, commit: 2 } });
    new FakePeer('b').persist(m, { snapshot: snap(2, 4), entries: [] });
    expect(m.violation?.invariant).toBe('snapshot-mismatch');
  });

  it('flags two different state machine images at one index', () => {
    const m = new InvariantMonitor(() => 0);
    m.onState(new FakePeer('a'), 7, '7|x=1|1', 'snapshot taken');
    m.onState(new FakePeer('b'), 7, '7|x=1|1', 'install snapshot');
    expect(m.ok).toBe(true);
    m.onState(new FakePeer('c'), 7, '7|x=2|1', 'apply');
    expect(m.violation?.invariant).toBe('state-machine-safety');
  });

  it('flags an install that throws away committed entries after the snapshot', () => {
    const m = new InvariantMonitor(() => 0);
    const a = new FakePeer('a');
    a.persist(m, { entries: [noop(1, 1), noop(2, 1), noop(3, 1)], hardState: { term: 1, vote: null, commit: 3 } });
    const b = new FakePeer('b');
    b.persist(m, { entries: [noop(1, 1), noop(2, 1), noop(3, 1)] });
    b.persist(m, { snapshot: snap(2, 1), truncateFrom: 3, entries: [] });
    expect(m.violation?.invariant).toBe('committed-changed');
  });
});
