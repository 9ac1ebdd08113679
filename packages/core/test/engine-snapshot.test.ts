// Snapshots and compaction (Raft §7): when the engine asks for a snapshot, what it stores and
// compacts, restarting from one, retention for followers close behind, installing a snapshot
// fetched in chunks from several peers, and atomicity of the install.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../src/types';
import { elected, type EngineHarness, fastTimings } from './support/engine-harness';

const base = { ...fastTimings, catchUpThreshold: 20, catchUpRequestTimeoutMs: 400 };
const commands = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const cluster = (ids: PeerId[], config = {}, seed = 1, autoSnapshot = true): EngineHarness =>
  elected(ids, { config: { ...base, ...config }, seed, autoSnapshot });

describe('engine: snapshots and compaction', () => {
  it('asks for a snapshot once the log outgrows compactAfterEntries, completes its meta, stores it and compacts', () => {
    const h = cluster(['a', 'b'], { compactAfterEntries: 50 }, 1, false);
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 30));
    h.advance(200);
    expect(h.readies.some((r) => r.ready.snapshotRequest)).toBe(false);
    h.propose(leader, 2, commands('y', 30));
    h.advance(200);
    const request = h.readies.find((r) => r.id === leader && r.ready.snapshotRequest)!.ready.snapshotRequest!;
    expect(request.upTo).toBeGreaterThan(25);
    const node = h.node(leader);
    const index = h.smIndex.get(leader)!;
    // The host knows only the index it applied and its bytes; term and membership come from the log.
    node.snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data: new Uint8Array([7]) });
    h.drain(leader);
    const stored = h.disks.get(leader)!.state.snapshot!;
    expect(stored.meta).toEqual({ index, term: node.term, membership: { voters: ['a', 'b'], learners: [] } });
    expect(h.disks.get(leader)!.state.entries.every((e) => e.index > index)).toBe(true);
    expect(node.log.snapshotIndex).toBeGreaterThan(0);
    expect(node.log.snapshotIndex).toBeLessThanOrEqual(index);
    // Stale, future and duplicate snapshots are ignored.
    node.snapshotTaken({ meta: { index: index + 1000, term: 0, membership: { voters: [], learners: [] } }, data: new Uint8Array() });
    node.snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data: new Uint8Array() });
    expect(node.snapshots.ignored).toBe(2);
  });

  it('a restarted peer starts from its snapshot and replays only what follows', () => {
    const h = cluster(['a', 'b', 'c'], { compactAfterEntries: 40 });
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 100));
    h.advance(500);
    const follower = h.followers()[0];
    expect(h.disks.get(follower)!.state.snapshot).not.toBeNull();
    const before = h.sm.get(follower)!;
    h.start(follower);
    h.drain(follower);
    expect(h.installs.get(follower)).toBeGreaterThanOrEqual(1);
    expect(h.sm.get(follower)).toEqual(before);
    h.propose(leader, 2, ['after']);
    h.advance(500);
    expect(h.sm.get(follower)).toEqual([...before, 'after']);
  });

  it('keeps the entries a live follower close behind still needs, so it never has to install a snapshot', () => {
    const h = cluster(['a', 'b', 'd'], { compactAfterEntries: 30, catchUpThreshold: 100 });
    const leader = h.leader();
    const slow = h.followers()[0];
    // The slow follower misses appends (it still answers heartbeats, so it counts as live).
    for (let i = 0; i < 6; i++) {
      h.propose(leader, i + 1, commands(`r${i}-`, 10));
      h.dropWhere((m) => m.to === slow && m.message.type === 'AppendEntries');
      h.advance(20);
      h.dropWhere((m) => m.to === slow && m.message.type === 'AppendEntries');
    }
    expect(h.disks.get(leader)!.state.snapshot).not.toBeNull();
    expect(h.node(leader).log.snapshotIndex).toBeLessThanOrEqual(h.node(slow).log.lastIndex());
    h.advance(1000);
    expect(h.sm.get(slow)).toEqual(h.sm.get(leader));
    expect(h.installs.get(slow) ?? 0).toBe(0);
    expect(h.node(slow).catchUp.sessions).toBe(0);
  });

  it('a joiner behind the compaction point installs a snapshot fetched in chunks from more than one peer', () => {
    const h = cluster(['a', 'b', 'd'], { compactAfterEntries: 100, snapshotChunkBytes: 256, catchUpBatchSize: 50 });
    const leader = h.leader();
    h.propose(leader, 1, commands('s', 600));
    h.advance(1000);
    for (const id of ['a', 'b', 'd']) expect(h.node(id).log.snapshotIndex).toBeGreaterThan(0);
    h.addPeer('c', null);
    h.connectAll();
    h.runUntil(() => h.node('c').status().online && h.node('c').status().committed === h.node(leader).status().committed, 20_000);
    h.advance(300);
    expect(h.installs.get('c')).toBeGreaterThanOrEqual(1);
    expect(h.sm.get('c')).toEqual(h.sm.get(leader));
    // The snapshot's pieces themselves came from two peers or more (chunksByPeer also counts the
    // entry chunks fetched after it).
    const askedForPieces = new Set(h.sent.filter((m) => m.from === 'c' && m.message.type === 'FetchSnapshotRequest').map((m) => m.to));
    expect(askedForPieces.size).toBeGreaterThanOrEqual(2);
    const answered = new Set(h.sent.filter((m) => m.to === 'c' && m.message.type === 'FetchSnapshotResponse').map((m) => m.from));
    expect(answered.size).toBeGreaterThanOrEqual(2);
    expect(h.readies.some((r) => r.id === 'c' && r.ready.status?.catchUp?.phase === 'snapshot')).toBe(true);
    // The install was one atomic batch: snapshot, truncation of anything after it, then entries.
    const install = h.readies.find((r) => r.id === 'c' && r.ready.persist.snapshot)!.ready;
    expect(install.snapshotToInstall).toBe(install.persist.snapshot);
    expect(install.persist.truncateFrom).toBe(install.persist.snapshot!.meta.index + 1);
  });

  it('a crash just before the install batch is persisted leaves the old log usable; it catches up after restart', () => {
    const h = cluster(['a', 'b', 'd'], { compactAfterEntries: 100, snapshotChunkBytes: 512 });
    const leader = h.leader();
    h.propose(leader, 1, commands('s', 400));
    h.advance(1000);
    h.addPeer('c', null);
    let crashed = false;
    h.crashBeforePersist = (id, ready) => {
      if (crashed || id !== 'c' || !ready.persist.snapshot) return false;
      crashed = true;
      return true;
    };
    h.connectAll();
    h.runUntil(() => crashed, 10_000);
    h.crashBeforePersist = null;
    // Whatever c persisted before is intact (here: nothing of the snapshot), and it restarts cleanly.
    expect(h.disks.get('c')!.state.snapshot).toBeNull();
    h.start('c');
    h.connectAll();
    h.runUntil(() => h.node('c').status().online && h.node('c').status().committed === h.node(leader).status().committed, 20_000);
    h.advance(300);
    expect(h.sm.get('c')).toEqual(h.sm.get(leader));
  });
});
