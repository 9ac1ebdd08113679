// Snapshot mode: the entries this peer needs were compacted away everywhere, so the newest snapshot
// is fetched in byte chunks from several peers in parallel, output first, then the entries after it.
import { describe, expect, it } from 'vitest';
import { SnapshotFetch } from '../src/catchup/snapshot-fetch';
import type { FetchSnapshotRequest, FetchSnapshotResponse, Message } from '../src/messages';
import type { Snapshot } from '../src/types';
import { fixed, indicesAre, makeEntries, PeerPool, poolPeer } from './catchup-pool';

const membership = { voters: ['a', 'b', 'c'], learners: [] };

function makeSnapshot(index: number, term: number, size: number): Snapshot {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + index) & 0xff;
  return { meta: { index, term, membership }, data };
}

/** A peer that compacted its log at `snap` and holds the entries after it up to `last`. */
const compacted = (id: string, snap: Snapshot, last: number, delay = 10) =>
  poolPeer(id, makeEntries(snap.meta.index + 1, last), { snapshot: snap, delay: fixed(delay) });

describe('catch-up through a snapshot', () => {
  it('fetches the snapshot in chunks from more than one peer, outputs it first, then the entries after it', () => {
    const snap = makeSnapshot(300, 2, 10_000);
    const peers = [compacted('a', snap, 400, 10), compacted('b', snap, 400, 15), compacted('c', snap, 400, 12), compacted('leader', snap, 400, 5)];
    const pool = PeerPool.create({ peers, leader: 'leader', to: 400, batchSize: 30, snapshotChunkBytes: 1024 });
    const phases = new Set<string>();
    for (let t = 5; t < 200; t += 5) pool.at(t, () => phases.add(pool.session.progress().phase));
    const result = pool.run();
    expect(result.outputs[0].kind).toBe('snapshot');
    expect(result.snapshots).toHaveLength(1);
    expect(result.snapshots[0].meta).toEqual(snap.meta);
    expect(result.snapshots[0].data).toEqual(snap.data);
    expect(indicesAre(result.entries, 301, 400)).toBe(true);
    expect(phases.has('snapshot')).toBe(true);

    const pieces = pool.requests('FetchSnapshotRequest');
    expect(pieces.length).toBe(10); // ceil(10000 / 1024), none twice
    const sources = new Set(pieces.map((e) => e.to));
    expect(sources.size).toBeGreaterThan(1);
    expect(sources.has('leader')).toBe(false); // other holders exist
    const p = pool.session.progress();
    expect(p.fraction).toBe(1);
    expect(p.bytesFetched).toBeGreaterThan(10_000);
    // Nothing at or below the snapshot index was fetched as entries.
    for (const e of pool.requests('FetchEntriesRequest')) expect((e.message as { from: number }).from).toBeGreaterThan(300);
  });

  it('picks the newest snapshot, and completes when a holder departs or drops it mid-way', () => {
    const old = makeSnapshot(200, 1, 3000);
    const snap = makeSnapshot(300, 2, 8000);
    let dropped = false;
    const forgetful = poolPeer('d', makeEntries(301, 400), {
      snapshot: snap,
      delay: fixed(3),
      faults: (req: Message, reply) => {
        if (req.type === 'FetchSnapshotRequest' && !dropped) {
          dropped = true;
          return [{ reply: { ...(reply as FetchSnapshotResponse), data: new Uint8Array(0), totalSize: 0, meta: null } }];
        }
        return [{ reply }];
      },
    });
    const peers = [compacted('old', old, 400, 5), compacted('a', snap, 400, 30), compacted('b', snap, 400, 40), forgetful];
    const pool = PeerPool.create({ peers, leader: null, to: 400, batchSize: 50, snapshotChunkBytes: 500 });
    pool.at(60, () => pool.depart('b'));
    const result = pool.run();
    expect(dropped).toBe(true);
    expect(result.snapshots.map((s) => s.meta.index)).toEqual([300]);
    expect(result.snapshots[0].data).toEqual(snap.data);
    expect(indicesAre(result.entries, 301, 400)).toBe(true);
    for (const e of pool.requests('FetchSnapshotRequest')) expect((e.message as FetchSnapshotRequest).index).toBe(300);
    expect(pool.requests('AvailabilityRequest', 'd').length).toBe(2); // asked again after "not held"
  });

  it('prefers the log when some peer still holds the entries', () => {
    const snap = makeSnapshot(300, 2, 5000);
    const pool = PeerPool.create({
      peers: [compacted('a', snap, 400), poolPeer('full', makeEntries(1, 400), { delay: fixed(5) })],
      leader: null,
      to: 400,
      batchSize: 50,
    });
    const result = pool.run();
    expect(result.snapshots).toEqual([]);
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
  });

  it('a snapshot beyond the target ends the session; an empty snapshot needs no fetch', () => {
    const big = makeSnapshot(500, 3, 2048);
    const pool = PeerPool.create({ peers: [compacted('a', big, 520), compacted('b', big, 520)], leader: null, to: 400, batchSize: 50, snapshotChunkBytes: 1024 });
    const result = pool.run();
    expect(result.snapshots.map((s) => s.meta.index)).toEqual([500]);
    expect(result.entries).toEqual([]);
    expect(pool.session.nextIndex).toBe(501);

    const empty = makeSnapshot(100, 1, 0);
    const pool2 = PeerPool.create({ peers: [compacted('a', empty, 150)], leader: null, to: 150, batchSize: 50 });
    const result2 = pool2.run();
    expect(result2.snapshots[0].data.length).toBe(0);
    expect(indicesAre(result2.entries, 101, 150)).toBe(true);
    expect(pool2.requests('FetchSnapshotRequest')).toEqual([]);
  });

  it('a source that compacts after answering availability is asked again at once, not after a request timeout', () => {
    // The only source answers availability with entries from 61, then takes a snapshot at 120
    // before the fetch arrives: its fetch reply is empty. It must be asked again right away (it
    // now offers the newer snapshot), or a new tab would wait a whole request timeout.
    const early = makeSnapshot(60, 3, 1500);
    const late = makeSnapshot(120, 5, 1500);
    const source = compacted('a', early, 130, 5);
    const pool = PeerPool.create({ peers: [source], leader: 'a', from: 61, localSnapshotIndex: 60, to: 130, batchSize: 100, requestTimeoutMs: 2000 });
    pool.at(3, () => {
      source.entries = makeEntries(121, 130);
      source.snapshot = late;
    });
    const result = pool.run();
    expect(result.snapshots.map((s) => s.meta.index)).toEqual([120]);
    expect(indicesAre(result.entries, 121, 130)).toBe(true);
    expect(pool.session.stats().timeouts).toBe(0);
    const asked = pool.requests('AvailabilityRequest', 'a');
    expect(asked).toHaveLength(2);
    expect(asked[1].at).toBeLessThan(2000); // not the periodic refresh: the empty reply triggered it
  });

  it('chunks with a wrong offset, size or length are ignored and fetched again', () => {
    const snap = makeSnapshot(300, 2, 4000);
    let corrupted = 0;
    const liar = poolPeer('liar', makeEntries(301, 400), {
      snapshot: snap,
      delay: fixed(1),
      faults: (req: Message, reply) => {
        if (req.type !== 'FetchSnapshotRequest') return [{ reply }];
        corrupted++;
        const r = reply as FetchSnapshotResponse;
        return [{ reply: { ...r, data: r.data.subarray(0, r.data.length - 1) } }];
      },
    });
    const pool = PeerPool.create({ peers: [liar, compacted('a', snap, 400, 20)], leader: null, to: 400, batchSize: 50, snapshotChunkBytes: 1000 });
    const result = pool.run();
    // Asked once: after a bad chunk its snapshot is no longer trusted (until availability is asked again).
    expect(corrupted).toBe(1);
    expect(pool.session.stats().ignoredReplies).toBe(1);
    expect(result.snapshots[0].data).toEqual(snap.data);
    expect(indicesAre(result.entries, 301, 400)).toBe(true);
  });
});

describe('SnapshotFetch', () => {
  it('hands out pieces lowest first, retries released ones first, assembles in place', () => {
    const snap = makeSnapshot(9, 1, 2500);
    const f = new SnapshotFetch({ ...snap.meta, size: 2500 }, 1000);
    expect(f.pieceCount).toBe(3);
    const p0 = f.nextPiece()!;
    f.assign(p0.piece);
    const p1 = f.nextPiece()!;
    f.assign(p1.piece);
    expect([p0.offset, p1.offset]).toEqual([0, 1000]);
    f.release(p0.piece);
    expect(f.nextPiece()!.piece).toBe(0);
    f.assign(0);
    const p2 = f.nextPiece()!;
    expect(p2).toEqual({ piece: 2, offset: 2000, length: 500 });
    f.assign(2);
    expect(f.nextPiece()).toBeNull();
    expect(f.accept(2, snap.data.subarray(2000))).toBe(true);
    expect(f.accept(0, snap.data.subarray(0, 999))).toBe(false); // short: retried
    expect(f.nextPiece()!.piece).toBe(0);
    expect(f.accept(0, snap.data.subarray(0, 1000))).toBe(true);
    expect(f.accept(1, snap.data.subarray(1000, 2000))).toBe(true);
    expect(f.complete).toBe(true);
    expect(f.assemble().data).toEqual(snap.data);
  });
});
