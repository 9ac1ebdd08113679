// A timeout makes a catch-up session forget what the peer advertised, and a snapshot with no holder
// left makes it look at another one. When two flaky peers hold different snapshots of the same index
// (the same state serialized differently), the session must resume a part-fetched snapshot when its
// holder answers again, not start it over: restarting on every switch never finished. (Found by the
// property in catchup-property.test.ts, CATCHUP_SEED=88569730. Its shrunk counterexample stopped
// switching as the scheduler changed, so the switches are scripted here.)
import { describe, expect, it } from 'vitest';
import type { CatchUpReply } from '../src/catchup/responder';
import type { Message } from '../src/messages';
import type { Snapshot } from '../src/types';
import { makeEntries, PeerPool, poolPeer } from './catchup-pool';

const snapshotOf = (index: number, size: number): Snapshot => {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 7 + i) & 0xff;
  return { meta: { index, term: 1, membership: { voters: ['leader'], learners: [] } }, data };
};

describe('catch-up: snapshots of the same index from flaky holders', () => {
  it('resumes a part-fetched snapshot after switching away and back, and finishes', () => {
    const requestTimeoutMs = 300;
    const log = makeEntries(1, 1);
    // Two holders of different snapshots of index 1. p1 serves first, then goes quiet while p2
    // appears; later p2 goes quiet and p1 answers again. Each time the silent holder's requests
    // time out, the session forgets what it advertised and turns to the other snapshot.
    const quiet = new Set<string>(['p2']);
    const unless = (id: string) => (_req: Message, reply: CatchUpReply) => (quiet.has(id) ? [] : [{ reply }]);
    const p1 = poolPeer('p1', log.slice(1), { committed: 1, snapshot: snapshotOf(1, 2001), delay: () => 20, faults: unless('p1') });
    const p2 = poolPeer('p2', log.slice(1), { committed: 1, snapshot: snapshotOf(1, 4401), delay: () => 20, faults: unless('p2') });
    const pool = PeerPool.create({ peers: [p1, p2], leader: null, to: 1, batchSize: 1, snapshotChunkBytes: 100, requestTimeoutMs });
    pool.at(330, () => (quiet.add('p1'), quiet.delete('p2')));
    pool.at(1100, () => (quiet.add('p2'), quiet.delete('p1')));
    const result = pool.run({ maxTimeMs: 600_000 });
    expect(pool.session.done).toBe(true);
    const installed = result.outputs.flatMap((o) => (o.kind === 'snapshot' ? [o.snapshot] : []));
    expect(installed).toEqual([snapshotOf(1, 2001)]);
    // The pieces were asked of p1, then of p2, then of p1 again...
    const asked = pool.requests('FetchSnapshotRequest').map((r) => ({ to: r.to, offset: (r.message as { offset: number }).offset }));
    const holders = asked.map((r) => r.to).filter((to, i, all) => i === 0 || to !== all[i - 1]);
    expect(holders).toEqual(['p1', 'p2', 'p1']);
    // ...and back at p1 it went on where it had stopped: no piece p1 had sent was asked again.
    const firstVisit = asked.slice(0, asked.findIndex((r) => r.to === 'p2'));
    const secondVisit = asked.slice(asked.map((r) => r.to).lastIndexOf('p2') + 1);
    const resumedAt = Math.min(...secondVisit.map((r) => r.offset));
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBe(Math.max(...firstVisit.map((r) => r.offset)));
  });
});
