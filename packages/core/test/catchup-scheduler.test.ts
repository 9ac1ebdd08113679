// Catch-up scheduler: many peers in parallel, one request in flight per peer, the leader last,
// no request storms, progress and stats.
import { describe, expect, it } from 'vitest';
import { CatchUpSession } from '../src/catchup/catch-up-session';
import { ENTRY_REQUESTS_PER_PEER } from '../src/catchup/in-flight';
import { InvalidInputError } from '../src/errors';
import type { FetchEntriesRequest } from '../src/messages';
import { fixed, indicesAre, makeEntries, PeerPool, poolPeer } from './catchup-pool';

/** The most fetch requests each peer had in flight at once during the pool's run (replies matched by id). */
function trackMostInFlight(pool: PeerPool): Map<string, number> {
  const outstanding = new Map<string, Set<number>>();
  const most = new Map<string, number>();
  const receive = pool.session.receive.bind(pool.session);
  pool.session.receive = (from, message, now) => {
    if (message.type === 'FetchEntriesResponse') outstanding.get(from)?.delete(message.requestId);
    receive(from, message, now);
  };
  const takeOutbox = pool.session.takeOutbox.bind(pool.session);
  pool.session.takeOutbox = () => {
    const out = takeOutbox();
    for (const e of out) {
      if (e.message.type !== 'FetchEntriesRequest') continue;
      const set = outstanding.get(e.to) ?? new Set<number>();
      set.add(e.message.requestId);
      outstanding.set(e.to, set);
      most.set(e.to, Math.max(most.get(e.to) ?? 0, set.size));
    }
    return out;
  };
  return most;
}

describe('catch-up from several peers', () => {
  for (const batchSize of [7, 20, 100, 1000]) {
    it(`batch ${batchSize}: 400 entries from 3 sources + leader, in order, exactly once, leader serves the fewest`, () => {
      const log = makeEntries(1, 400);
      // The scenario: the leader wrote 200, a follower 200 more; everyone has committed 400.
      const peers = [
        poolPeer('leader', log, { delay: fixed(5) }),
        poolPeer('a', log, { delay: fixed(20) }),
        poolPeer('b', log, { delay: fixed(30) }),
        poolPeer('c', log, { delay: fixed(25) }),
      ];
      const pool = PeerPool.create({ peers, leader: 'leader', to: 400, batchSize });
      const result = pool.run();
      expect(pool.session.done).toBe(true);
      expect(indicesAre(result.entries, 1, 400)).toBe(true);
      expect(result.entries.map((e) => e.term)).toEqual(log.map((e) => e.term));

      const stats = pool.session.stats();
      const served = stats.chunksByPeer;
      const users = Object.keys(served).filter((p) => served[p] > 0);
      expect(users.length).toBeGreaterThanOrEqual(2);
      const leaderServed = served.leader ?? 0;
      for (const p of ['a', 'b', 'c']) expect(leaderServed).toBeLessThanOrEqual(served[p] ?? 0);
      expect(leaderServed).toBe(0); // everyone else holds everything: the leader is not needed

      const fetches = pool.requests('FetchEntriesRequest');
      // A gap smaller than one batch per source is split evenly over the 3 non-leader sources.
      expect(fetches.length).toBe(Math.ceil(400 / Math.min(batchSize, Math.ceil(400 / 3))));
      expect(stats.requestsSent).toBe(fetches.length);
      expect(stats.entriesReceived).toBe(400);
      expect(stats.ignoredReplies).toBe(0);
      expect(pool.session.progress()).toMatchObject({ fraction: 1, from: 1, to: 400, entriesFetched: 400, peersUsed: users.length, phase: 'log' });
    });
  }

  it('uses the leader only for entries no other peer holds', () => {
    const log = makeEntries(1, 400);
    const peers = [poolPeer('leader', log), poolPeer('a', log.slice(0, 200)), poolPeer('b', log.slice(0, 250))];
    const pool = PeerPool.create({ peers, leader: 'leader', to: 400, batchSize: 20 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    for (const e of pool.requests('FetchEntriesRequest', 'leader')) {
      expect((e.message as FetchEntriesRequest).from).toBeGreaterThan(250);
    }
    const served = pool.session.stats().chunksByPeer;
    expect(served.leader).toBe(Math.ceil(150 / 20));
    expect(served.a).toBeGreaterThan(0);
    expect(served.b).toBeGreaterThan(0);
  });

  it('has at most two requests in flight per peer at any time, and keeps a slow peer to that', () => {
    const log = makeEntries(1, 2000);
    const peers = [poolPeer('leader', log), poolPeer('a', log, { delay: fixed(40) }), poolPeer('b', log, { delay: fixed(7) })];
    const pool = PeerPool.create({ peers, leader: 'leader', to: 2000, batchSize: 50 });
    const most = trackMostInFlight(pool);
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 2000)).toBe(true);
    // A second request overlaps a peer's serving of one chunk with the transfer of the other.
    expect(most.get('a')).toBe(ENTRY_REQUESTS_PER_PEER);
    expect(most.get('b')).toBe(ENTRY_REQUESTS_PER_PEER);
    // The faster peer serves more chunks: work follows idleness.
    const served = pool.session.stats().chunksByPeer;
    expect(served.b).toBeGreaterThan(served.a);
  });

  it('gives a peer a second request only while few peers serve: one source gets two, four sources one each', () => {
    const log = makeEntries(1, 1000);
    const one = PeerPool.create({ peers: [poolPeer('a', log, { delay: fixed(20) })], leader: null, to: 1000, batchSize: 50 });
    const mostOfOne = trackMostInFlight(one);
    expect(indicesAre(one.run().entries, 1, 1000)).toBe(true);
    expect(mostOfOne.get('a')).toBe(2);
    const ids = ['a', 'b', 'c', 'd'];
    const four = PeerPool.create({ peers: ids.map((id) => poolPeer(id, log, { delay: fixed(20) })), leader: null, to: 1000, batchSize: 50 });
    const mostOfFour = trackMostInFlight(four);
    expect(indicesAre(four.run().entries, 1, 1000)).toBe(true);
    expect(ids.map((id) => mostOfFour.get(id))).toEqual([1, 1, 1, 1]);
  });

  it('100,000 entries behind: about entries / batchSize fetch requests, no storms', () => {
    const n = 100_000;
    const log = makeEntries(1, n);
    let jitter = 0;
    const peers = [
      poolPeer('leader', log),
      poolPeer('a', log, { delay: () => 10 + (jitter++ % 7) }),
      poolPeer('b', log, { delay: () => 15 + (jitter++ % 11) }),
      poolPeer('c', log, { delay: () => 20 + (jitter++ % 5) }),
    ];
    for (const batchSize of [1000, 2000]) {
      const pool = PeerPool.create({ peers, leader: 'leader', to: n, batchSize });
      const result = pool.run();
      expect(result.entries.length).toBe(n);
      expect(indicesAre(result.entries, 1, n)).toBe(true);
      const fetches = pool.requests('FetchEntriesRequest').length;
      const ideal = Math.ceil(n / batchSize);
      expect(fetches).toBeGreaterThanOrEqual(ideal);
      expect(fetches).toBeLessThanOrEqual(Math.ceil(ideal * 1.05));
      expect(pool.requests('AvailabilityRequest').length).toBeLessThanOrEqual(4 * 2);
    }
  });

  it('reports progress while fetching', () => {
    const log = makeEntries(1, 300);
    const pool = PeerPool.create({ peers: [poolPeer('a', log, { delay: fixed(100) }), poolPeer('b', log, { delay: fixed(100) })], leader: null, to: 300, batchSize: 30 });
    const fractions: number[] = [];
    // Chunks arrive in rounds (every peer answers its two requests in flight 100 ms later).
    pool.at(250, () => fractions.push(pool.session.progress().fraction));
    pool.at(350, () => fractions.push(pool.session.progress().fraction));
    pool.run();
    expect(fractions[0]).toBeGreaterThanOrEqual(0);
    expect(fractions[0]).toBeLessThan(fractions[1]);
    expect(fractions[1]).toBeLessThan(1);
    const p = pool.session.progress();
    expect(p.fraction).toBe(1);
    expect(p.peersUsed).toBe(2);
    expect(p.bytesFetched).toBeGreaterThan(300 * 7); // command bytes plus per-entry overhead
  });

  it('starting with nothing to fetch is done at once', () => {
    const pool = PeerPool.create({ peers: [poolPeer('a', makeEntries(1, 10))], leader: 'a', to: 10, from: 11 });
    pool.run();
    expect(pool.session.done).toBe(true);
    expect(pool.sent).toEqual([]);
    expect(pool.session.progress().fraction).toBe(1);
  });

  it('skips what the local snapshot already covers', () => {
    const log = makeEntries(1, 100);
    const pool = PeerPool.create({ peers: [poolPeer('a', log)], leader: null, to: 100, from: 1, localSnapshotIndex: 60, batchSize: 10 });
    const result = pool.run();
    expect(indicesAre(result.entries, 61, 100)).toBe(true);
    expect(pool.requests('FetchEntriesRequest').length).toBe(4);
  });

  it('a peer that joins mid-way is asked for its availability and used', () => {
    const log = makeEntries(1, 600);
    const pool = PeerPool.create({
      peers: [poolPeer('a', log, { delay: fixed(50) }), poolPeer('late', log, { delay: fixed(5), up: false })],
      leader: null,
      to: 600,
      batchSize: 20,
    });
    pool.at(200, () => pool.arrive('late'));
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 600)).toBe(true);
    expect(pool.requests('AvailabilityRequest', 'late').length).toBeGreaterThanOrEqual(1);
    expect(pool.session.stats().chunksByPeer.late).toBeGreaterThan(0);
  });

  it('extendTarget fetches further', () => {
    const log = makeEntries(1, 500);
    const pool = PeerPool.create({ peers: [poolPeer('a', log), poolPeer('b', log)], leader: null, to: 200, batchSize: 50 });
    pool.at(15, () => pool.session.extendTarget(500));
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 500)).toBe(true);
    expect(pool.session.progress().to).toBe(500);
  });

  it('rejects a bad configuration with a typed error', () => {
    const base = { self: 'me', leader: null, peers: ['a'], from: 1, to: 10, localSnapshotIndex: 0, prevTerm: 0, batchSize: 5, requestTimeoutMs: 100, snapshotChunkBytes: 10, firstRequestId: 1, now: 0 };
    expect(() => new CatchUpSession(base)).not.toThrow();
    for (const bad of [{ batchSize: 0 }, { snapshotChunkBytes: 1.5 }, { from: 0 }, { requestTimeoutMs: 0 }, { firstRequestId: -1 }, { to: Number.NaN }, { prevTerm: -1 }, { prevTerm: 0.5 }]) {
      expect(() => new CatchUpSession({ ...base, ...bad })).toThrow(InvalidInputError);
    }
  });
});
