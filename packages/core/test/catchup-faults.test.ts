// Catch-up under faults: empty/short/late/duplicate/wrong replies, timeouts, departures, and a gap
// past every peer's commit (faults a naive chunked replay has: stalls on empty replies, mismatched late replies, gaps nobody holds).
import { describe, expect, it } from 'vitest';
import { ENTRY_REQUESTS_PER_PEER } from '../src/catchup/in-flight';
import type { CatchUpReply } from '../src/catchup/responder';
import type { FetchEntriesRequest, FetchEntriesResponse, Message } from '../src/messages';
import type { LogEntry } from '../src/types';
import { fixed, indicesAre, makeEntries, PeerPool, poolPeer } from './catchup-pool';

const isFetch = (m: Message): m is FetchEntriesRequest => m.type === 'FetchEntriesRequest';
const requestIdOf = (e: { message: Message }): number => (e.message as FetchEntriesRequest).requestId;
const withEntries = (reply: CatchUpReply, entries: LogEntry[]): CatchUpReply => ({ ...(reply as FetchEntriesResponse), entries });

describe('empty and short replies', () => {
  it('an empty reply does not block later chunks (seed bug: stored at key 0, blocked draining)', () => {
    const log = makeEntries(1, 400);
    let emptied = 0;
    const liar = poolPeer('a', log, {
      delay: fixed(1), // answers first, so it gets the first chunk
      faults: (req, reply) => {
        if (isFetch(req) && emptied === 0) {
          emptied++;
          return [{ reply: withEntries(reply, []) }];
        }
        return [{ reply }];
      },
    });
    const pool = PeerPool.create({ peers: [liar, poolPeer('b', log), poolPeer('c', log)], leader: null, to: 400, batchSize: 20 });
    const result = pool.run();
    expect(emptied).toBe(1);
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    // The peer that answered empty is asked what it holds at once (an honest peer does so only
    // after compacting), before it is given another chunk (three sources: one request each).
    const toA = pool.sent.filter((e) => e.to === 'a').map((e) => e.message.type);
    expect(toA.slice(0, 3)).toEqual(['AvailabilityRequest', 'FetchEntriesRequest', 'AvailabilityRequest']);
    expect(pool.session.stats().timeouts).toBe(0);
    expect(result.timeMs).toBeLessThan(1000); // no timeout was needed to get past it
  });

  it('when every peer answers a chunk empty once, availability is asked again and the catch-up completes', () => {
    const log = makeEntries(1, 200);
    const emptyOnce = () => {
      let done = false;
      return (req: Message, reply: CatchUpReply) => {
        if (isFetch(req) && req.from <= 101 && req.to >= 101 && !done) {
          done = true;
          return [{ reply: withEntries(reply, []) }];
        }
        return [{ reply }];
      };
    };
    const peers = ['a', 'b', 'c'].map((id) => poolPeer(id, log, { faults: emptyOnce() }));
    const pool = PeerPool.create({ peers, leader: null, to: 200, batchSize: 10 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 200)).toBe(true);
    expect(pool.requests('AvailabilityRequest').length).toBeGreaterThan(3);
  });

  it('a peer that always answers empty is asked again at most once per request timeout', () => {
    const log = makeEntries(1, 400);
    const liar = poolPeer('a', log, { delay: fixed(1), faults: (req, reply) => [{ reply: isFetch(req) ? withEntries(reply, []) : reply }] });
    const pool = PeerPool.create({ peers: [liar, poolPeer('b', log), poolPeer('c', log)], leader: null, to: 400, batchSize: 20, requestTimeoutMs: 1000 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    expect(result.timeMs).toBeLessThan(1000);
    // The first availability request, and one re-ask after its first empty answer (three sources:
    // one request each, so one chunk after each answer).
    expect(pool.requests('AvailabilityRequest', 'a')).toHaveLength(2);
    expect(pool.requests('FetchEntriesRequest', 'a')).toHaveLength(2);
  });

  it('a short reply: the prefix is kept, the rest is fetched from others', () => {
    const log = makeEntries(1, 300);
    const short = poolPeer('a', log, {
      delay: fixed(1),
      faults: (req, reply) => [{ reply: isFetch(req) ? withEntries(reply, (reply as FetchEntriesResponse).entries.slice(0, 5)) : reply }],
    });
    const pool = PeerPool.create({ peers: [short, poolPeer('b', log)], leader: null, to: 300, batchSize: 50 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 300)).toBe(true);
    expect(pool.session.stats().entriesReceived).toBe(300); // nothing fetched twice
    // Only the chunks it held when it first answered short: then it is asked what it holds.
    expect(pool.session.stats().chunksByPeer.a).toBe(ENTRY_REQUESTS_PER_PEER);
  });
});

describe('late, duplicate and wrong replies', () => {
  it('duplicated replies are ignored and counted', () => {
    const log = makeEntries(1, 300);
    const dup = (_req: Message, reply: CatchUpReply) => [{ reply }, { reply, extraDelay: 3 }];
    const pool = PeerPool.create({ peers: [poolPeer('a', log, { faults: dup }), poolPeer('b', log, { faults: dup })], leader: null, to: 300, batchSize: 25 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 300)).toBe(true);
    const stats = pool.session.stats();
    expect(stats.entriesReceived).toBe(300);
    // Every fetch answer and every availability answer came twice; the second copies are dropped
    // (the last ones may still be in the air when the session finishes).
    expect(stats.ignoredReplies).toBeGreaterThanOrEqual(pool.requests('FetchEntriesRequest').length - 2);
  });

  it('a reply arriving after its timeout is ignored; the chunk was fetched again elsewhere', () => {
    const log = makeEntries(1, 200);
    let slowId: number | undefined;
    const slow = poolPeer('a', log, {
      delay: fixed(1),
      // The first fetch is answered 5 s late, and so is its second sending.
      faults: (req, reply) => {
        if (!isFetch(req)) return [{ reply }];
        slowId ??= req.requestId;
        return req.requestId === slowId ? [{ reply, extraDelay: 5000 }] : [{ reply }];
      },
    });
    const pool = PeerPool.create({ peers: [slow, poolPeer('b', log)], leader: null, to: 200, batchSize: 20, requestTimeoutMs: 1000 });
    const result = pool.run({ until: () => pool.now > 5500 });
    expect(indicesAre(result.entries, 1, 200)).toBe(true);
    const stats = pool.session.stats();
    expect(stats.resends).toBe(1);
    expect(stats.timeouts).toBe(1);
    expect(stats.ignoredReplies).toBe(2);
    expect(stats.entriesReceived).toBe(200);
    expect(pool.requests('AvailabilityRequest', 'a').length).toBe(2); // asked again after the timeout
  });

  it('replies with wrong indices or too many entries are ignored and the chunk re-fetched', () => {
    const log = makeEntries(1, 200);
    const shifted = poolPeer('bad', log, {
      delay: fixed(1),
      faults: (req, reply) => {
        if (!isFetch(req)) return [{ reply }];
        const wrong = req.from % 2 === 0 ? makeEntries(req.from + 1, req.to + 1) : makeEntries(req.from, req.to + 3);
        return [{ reply: withEntries(reply, wrong) }];
      },
    });
    const pool = PeerPool.create({ peers: [shifted, poolPeer('good', log, { delay: fixed(20) })], leader: null, to: 200, batchSize: 20 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 200)).toBe(true);
    expect(pool.session.stats().ignoredReplies).toBeGreaterThanOrEqual(1);
    expect(pool.session.stats().chunksByPeer.bad).toBeUndefined();
  });

  it('non-contiguous or malformed entries fed directly never throw and are ignored', () => {
    const log = makeEntries(1, 50);
    const pool = PeerPool.create({ peers: [poolPeer('a', log)], leader: null, to: 50, batchSize: 50 });
    pool.session.start(0);
    const out = pool.session.takeOutbox();
    const avail = out[0].message;
    pool.session.receive('a', { type: 'AvailabilityResponse', requestId: (avail as { requestId: number }).requestId, senderTerm: 1, firstIndex: 1, committed: 50, snapshot: null }, 1);
    const req = pool.session.takeOutbox()[0].message as FetchEntriesRequest;
    const gap = [...log.slice(0, 3), ...log.slice(4, 10)];
    pool.session.receive('a', { type: 'FetchEntriesResponse', requestId: req.requestId, senderTerm: 1, entries: gap }, 2);
    pool.session.receive('a', { type: 'FetchEntriesResponse', requestId: 99_999, senderTerm: 1, entries: log }, 3);
    pool.session.receive('a', { type: 'FetchEntriesResponse', requestId: -1, entries: null } as unknown as Message, 3);
    pool.session.receive('a', { type: 'AvailabilityResponse', requestId: 5, senderTerm: 1, firstIndex: 0, committed: 1, snapshot: null }, 3);
    pool.session.receive('a', null as unknown as Message, 3);
    expect(pool.session.takeOutput()).toEqual([]);
    expect(pool.session.stats().ignoredReplies).toBe(4);
  });
});

describe('timeouts and departures', () => {
  it('a peer that never answers fetches times out, is asked for availability again, and the others finish', () => {
    const log = makeEntries(1, 400);
    const hole = poolPeer('hole', log, { delay: fixed(1), faults: (req, reply) => (isFetch(req) ? [] : [{ reply }]) });
    const pool = PeerPool.create({ peers: [hole, poolPeer('b', log, { delay: fixed(30) })], leader: null, to: 400, batchSize: 10, requestTimeoutMs: 500 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    const stats = pool.session.stats();
    expect(stats.timeouts).toBeGreaterThanOrEqual(1);
    // Each request is sent twice (once more when overdue, see answer-times.ts), under one id.
    const sent = pool.requests('FetchEntriesRequest', 'hole');
    const fetches = sent.filter((r, i) => sent.findIndex((o) => requestIdOf(o) === requestIdOf(r)) === i);
    expect(sent.length).toBe(2 * fetches.length);
    expect(stats.resends).toBe(fetches.length);
    expect(stats.timeouts).toBe(fetches.length);
    // At most its requests in flight per timeout period: no storm on a dead peer.
    expect(fetches.length).toBeLessThanOrEqual(ENTRY_REQUESTS_PER_PEER * (Math.ceil(result.timeMs / 500) + 1));
    // Asked what it holds once at the start and once per batch of requests that timed out together.
    const batches = new Set(fetches.map((r) => r.at)).size;
    expect(batches).toBeLessThan(fetches.length);
    expect(pool.requests('AvailabilityRequest', 'hole').length).toBe(batches + 1);
  });

  it('a source departing mid-chunk: its chunk is fetched from another peer', () => {
    const log = makeEntries(1, 400);
    const pool = PeerPool.create({
      peers: [poolPeer('a', log, { delay: fixed(40) }), poolPeer('b', log, { delay: fixed(100) }), poolPeer('c', log, { delay: fixed(60) })],
      leader: null,
      to: 400,
      batchSize: 30,
    });
    let departedWith: FetchEntriesRequest | undefined;
    pool.at(150, () => {
      const last = pool.requests('FetchEntriesRequest', 'b').at(-1);
      departedWith = last?.message as FetchEntriesRequest;
      pool.depart('b');
    });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    expect(departedWith).toBeDefined();
    expect(pool.requests('FetchEntriesRequest', 'b').every((e) => e.at <= 150)).toBe(true);
    const refetched = pool.requests('FetchEntriesRequest').filter((e) => e.at >= 150 && (e.message as FetchEntriesRequest).from === departedWith!.from);
    expect(refetched.length).toBe(1);
    expect(pool.session.stats().timeouts).toBe(0);
  });

  it('a gap past every availability: availability is asked again (rate-limited) and completes once peers advance', () => {
    const full = makeEntries(1, 400);
    const peers = ['a', 'b', 'c'].map((id) => poolPeer(id, full.slice(0, 300)));
    const pool = PeerPool.create({ peers, leader: null, to: 400, batchSize: 50, requestTimeoutMs: 1000 });
    pool.at(5000, () => {
      for (const p of peers) {
        p.entries = full;
        p.committed = 400;
      }
    });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    expect(result.timeMs).toBeGreaterThan(5000);
    expect(result.timeMs).toBeLessThan(7500);
    const asked = pool.requests('AvailabilityRequest');
    expect(asked.length).toBeGreaterThan(3);
    expect(asked.length).toBeLessThanOrEqual(3 * (Math.ceil(result.timeMs / 1000) + 1));
  });

  it('all peers gone: nothing is sent until one comes back', () => {
    const log = makeEntries(1, 100);
    const pool = PeerPool.create({ peers: [poolPeer('a', log)], leader: 'a', to: 100, batchSize: 10 });
    pool.at(10, () => pool.depart('a'));
    pool.at(3000, () => pool.arrive('a'));
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 100)).toBe(true);
    expect(pool.sent.filter((e) => e.at > 10 && e.at < 3000)).toEqual([]);
  });

  it('a lost availability answer is asked again after a quarter of the request timeout', () => {
    const log = makeEntries(1, 100);
    let lost = 0;
    const only = poolPeer('a', log, {
      delay: fixed(5),
      faults: (req, reply) => {
        if (req.type === 'AvailabilityRequest' && lost === 0) {
          lost++;
          return [];
        }
        return [{ reply }];
      },
    });
    const pool = PeerPool.create({ peers: [only], leader: null, to: 100, batchSize: 50, requestTimeoutMs: 2000, tickMs: 10 });
    const result = pool.run();
    expect(lost).toBe(1);
    expect(indicesAre(result.entries, 1, 100)).toBe(true);
    const asked = pool.requests('AvailabilityRequest', 'a').map((e) => e.at);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toBeGreaterThanOrEqual(500);
    expect(asked[1]).toBeLessThan(600);
  });

  it('a silent peer delays the leader by one timeout at most, even while availability is re-asked', () => {
    const full = makeEntries(1, 400);
    const leader = poolPeer('leader', full.slice(0, 300));
    const silent = poolPeer('x', full, { faults: () => [] });
    const pool = PeerPool.create({ peers: [leader, silent], leader: 'leader', to: 400, batchSize: 50, requestTimeoutMs: 1000 });
    pool.at(3000, () => {
      leader.entries = full;
      leader.committed = 400;
    });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    const firstToLeader = pool.requests('FetchEntriesRequest', 'leader')[0];
    expect(firstToLeader.at).toBeGreaterThanOrEqual(1000); // waited for the other peer's first answer...
    expect(firstToLeader.at).toBeLessThan(1200); // ...but only once
    expect(result.timeMs).toBeLessThan(3000 + 1200);
    expect(pool.requests('AvailabilityRequest', 'x').length).toBeGreaterThan(2); // re-asked meanwhile
  });
});

describe('a request unanswered for several of its peer\'s answer times is sent once more', () => {
  it('a lost reply from the only source is fetched again well before the request timeout', () => {
    const log = makeEntries(1, 400);
    let fetches = 0;
    // The third chunk's reply is lost; the two before it set the source's answer time (2 ms).
    const lossy = poolPeer('only', log, { delay: fixed(2), faults: (req, reply) => (isFetch(req) && ++fetches === 3 ? [] : [{ reply }]) });
    const pool = PeerPool.create({ peers: [lossy], leader: null, to: 400, batchSize: 50, requestTimeoutMs: 2000 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    const stats = pool.session.stats();
    expect(stats.resends).toBe(1);
    expect(stats.timeouts).toBe(0);
    // Sent again after an eighth of the timeout (four answer times are less), not after all of it.
    expect(result.timeMs).toBeLessThan(2000 / 2);
  });

  it('before its first answer a source gets half the timeout: a slow but steady one is never sent a request twice', () => {
    const log = makeEntries(1, 400);
    const slow = poolPeer('slow', log, { delay: fixed(1), faults: (req, reply) => (isFetch(req) ? [{ reply, extraDelay: 300 }] : [{ reply }]) });
    const pool = PeerPool.create({ peers: [slow], leader: null, to: 400, batchSize: 50, requestTimeoutMs: 1000 });
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 400)).toBe(true);
    const stats = pool.session.stats();
    expect(stats.timeouts).toBe(0);
    expect(stats.resends).toBe(0);
    expect(stats.ignoredReplies).toBe(0);
  });
});
