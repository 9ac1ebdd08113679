// Entries the leader sends while a peer catches up: buffered, released once the gap before them
// is filled, joined seamlessly with the fetched range (leader wins on overlap).
import { describe, expect, it } from 'vitest';
import { EntryRuns } from '../src/catchup/entry-runs';
import { LeaderBuffer } from '../src/catchup/leader-buffer';
import type { FetchEntriesRequest } from '../src/messages';
import type { LogEntry } from '../src/types';
import { defaultTerm, fixed, indicesAre, makeEntries, PeerPool, poolPeer } from './catchup-pool';

/** Entries as the leader sends them: same index/term as the log, distinct objects we can recognise. */
const leaderEntries = (from: number, to: number, term?: number): LogEntry[] =>
  makeEntries(from, to, term === undefined ? undefined : () => term).map((e) => ({ ...e, data: new TextEncoder().encode(`leader-${e.index}`) }) as LogEntry);
const fromLeader = (e: LogEntry) => e.kind === 'command' && new TextDecoder().decode(e.data).startsWith('leader-');

describe('leader entries during catch-up', () => {
  it('a buffer starting inside the gap: fetching stops before it, output joins seamlessly', () => {
    const log = makeEntries(1, 400);
    const pool = PeerPool.create({ peers: [poolPeer('a', log), poolPeer('b', log)], leader: 'leader', to: 400, batchSize: 25 });
    pool.session.bufferFromLeader(leaderEntries(380, 450), defaultTerm(379));
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 450)).toBe(true);
    expect(result.entries.slice(379).every(fromLeader)).toBe(true);
    expect(result.entries.slice(0, 379).some(fromLeader)).toBe(false);
    for (const e of pool.requests('FetchEntriesRequest')) expect((e.message as FetchEntriesRequest).to).toBeLessThan(380);
    expect(pool.session.nextIndex).toBe(451);
  });

  it('entries arriving mid-way over chunks in flight: the leader wins on overlap, nothing twice', () => {
    const log = makeEntries(1, 300);
    const pool = PeerPool.create({ peers: [poolPeer('a', log, { delay: fixed(80) }), poolPeer('b', log, { delay: fixed(90) })], leader: 'leader', to: 300, batchSize: 40 });
    // a answers what it holds at t=80 and is asked for [1..40] and [41..80] at once; while they
    // are in flight, the leader sends 60..120.
    pool.at(85, () => pool.session.bufferFromLeader(leaderEntries(60, 120), defaultTerm(59)));
    let joinAt = 0;
    pool.at(200, () => {
      joinAt = pool.session.nextIndex; // fetched chunks after 120 were output meanwhile
      pool.session.bufferFromLeader(leaderEntries(121, 320), defaultTerm(120));
    });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 320)).toBe(true);
    expect(joinAt).toBeGreaterThan(121);
    expect(joinAt).toBeLessThan(300);
    expect(result.entries.slice(0, 59).some(fromLeader)).toBe(false);
    expect(result.entries.slice(59, 120).every(fromLeader)).toBe(true);
    expect(result.entries.slice(120, joinAt - 1).some(fromLeader)).toBe(false);
    expect(result.entries.slice(joinAt - 1).every(fromLeader)).toBe(true);
    // Chunks were never requested inside the leader's first run.
    expect(pool.requests('FetchEntriesRequest').some((x) => x.at < 85 && (x.message as FetchEntriesRequest).to === 80)).toBe(true);
    for (const e of pool.requests('FetchEntriesRequest').filter((x) => x.at > 85)) {
      const { from, to } = e.message as FetchEntriesRequest;
      expect(to < 60 || from > 120).toBe(true);
    }
  });

  it('a buffered run past a hole waits for the hole; entries beyond the target are released when joined', () => {
    const log = makeEntries(1, 100);
    const pool = PeerPool.create({ peers: [poolPeer('a', log)], leader: 'leader', to: 100, batchSize: 50 });
    pool.session.bufferFromLeader(leaderEntries(111, 120), defaultTerm(110));
    const result = pool.run();
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 100)).toBe(true);
    pool.session.bufferFromLeader(leaderEntries(101, 110), defaultTerm(100));
    const more = pool.session.takeOutput();
    expect(more).toHaveLength(1);
    expect(more[0].kind === 'entries' && indicesAre(more[0].entries, 101, 120)).toBe(true);
    // Entries already output are not output again.
    pool.session.bufferFromLeader(leaderEntries(90, 120), defaultTerm(89));
    expect(pool.session.takeOutput()).toEqual([]);
  });

  it('the buffer alone can fill the gap', () => {
    const pool = PeerPool.create({ peers: [poolPeer('a', makeEntries(1, 10), { delay: fixed(500) })], leader: 'leader', to: 50, from: 11, batchSize: 100 });
    pool.session.start(0);
    pool.session.bufferFromLeader(leaderEntries(11, 60), defaultTerm(10));
    expect(pool.session.done).toBe(true);
    const out = pool.session.takeOutput();
    expect(out[0].kind === 'entries' && indicesAre(out[0].entries, 11, 60)).toBe(true);
  });
});

describe('LeaderBuffer', () => {
  it('replaces overlapping entries and truncates after a term conflict (Raft §5.3)', () => {
    const b = new LeaderBuffer();
    b.add(leaderEntries(10, 20, 2), 2, 1);
    b.add(leaderEntries(25, 30, 2), 2, 1);
    expect(b.runs.size).toBe(2);
    // A new leader (term 3) overwrites 15..16: everything the old term had after 15 is gone.
    b.add(leaderEntries(15, 16, 3), 3, 1);
    expect(b.runs.claimEnd(10)).toBe(16);
    expect(b.runs.has(17)).toBe(false);
    expect(b.runs.has(25)).toBe(false);
    expect(b.runs.entryAt(15)!.term).toBe(3);
    // Same term over an overlap: replaced in place, later entries kept.
    b.add(leaderEntries(12, 13, 2), 2, 1);
    expect(b.runs.claimEnd(10)).toBe(16);
    // Below the floor (already output): skipped.
    b.add(leaderEntries(1, 5, 3), 3, 8);
    expect(b.runs.has(3)).toBe(false);
  });
});

describe('EntryRuns', () => {
  it('keeps sorted disjoint runs, merges on overwrite, answers claim queries', () => {
    const r = new EntryRuns();
    expect(r.insertDisjoint(makeEntries(50, 59))).toBe(true);
    expect(r.insertDisjoint(makeEntries(10, 19))).toBe(true);
    expect(r.insertDisjoint(makeEntries(15, 25))).toBe(false);
    expect(r.claimEnd(12)).toBe(19);
    expect(r.claimEnd(20)).toBeNull();
    expect(r.nextClaimStart(20)).toBe(50);
    expect(r.nextClaimStart(55)).toBeNull();
    r.overwrite(makeEntries(18, 52));
    expect(r.size).toBe(1);
    expect(r.claimEnd(10)).toBe(59);
    const run = r.runContaining(30)!;
    expect(indicesAre(run.entries, 10, 59)).toBe(true);
    r.dropBelow(40);
    expect(indicesAre(r.runContaining(45)!.entries, 40, 59)).toBe(true);
    r.truncateFrom(45);
    expect(r.claimEnd(40)).toBe(44);
    r.overwrite(makeEntries(45, 47)); // the append fast path
    expect(indicesAre(r.runContaining(40)!.entries, 40, 47)).toBe(true);
  });
});
