// Chunks count entries, never bytes: with large entries, a chunk of catchUpBatchSize entries is
// larger than the transport carries in one message (the webrtc mesh refuses messages over
// maxMessageBytes, 16 MiB by default, as tooLarge; the codec's frame cap is 64 MiB) and its answer
// is silently lost (the pool's fault hook drops it, as the mesh would). Asking again for the same
// chunk after the timeout wedged catch-up forever; a timeout now halves that peer's chunk size
// (chunk-sizes.ts) until the answer fits. A server also cuts every answer at
// MAX_ENTRIES_ANSWER_BYTES (responder.ts), which the default message cap carries, so the halving
// matters on a mesh configured with a smaller cap. And a requester that knows no entry size yet asks
// small probe chunks first, so the transport refuses nothing.
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES_BUDGET, FIRST_CHUNK_ENTRIES } from '../src/catchup/chunk-sizes';
import { estimateEntriesBytes } from '../src/catchup/entry-size';
import { type CatchUpReply, MAX_ENTRIES_ANSWER_BYTES } from '../src/catchup/responder';
import type { FetchEntriesRequest, Message } from '../src/messages';
import type { LogEntry } from '../src/types';
import { fixed, indicesAre, PeerPool, poolPeer } from './catchup-pool';

/** The mesh's default maxMessageBytes (send-scheduler refuses a larger message as tooLarge). */
const MESH_MESSAGE_CAP = 16 * 1024 * 1024;
/** Well under maxProposalBytes (8 MiB); 2000 of them (the default catchUpBatchSize) are ~20 MiB. */
const ENTRY_BYTES = 10 * 1024;
const shared = new Uint8Array(ENTRY_BYTES).fill(7);

function bigEntries(from: number, to: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term: 1, kind: 'command', data: shared });
  return out;
}

/** A mesh configured with maxMessageBytes below the responder's cut (5 MiB), so a cut answer is still lost. */
const SMALL_MESH_MESSAGE_CAP = 5 * 1024 * 1024;

/** A serving peer's transport: a reply larger than the mesh's message cap is lost (what PeerMesh does with tooLarge). */
function meshCap(clock: () => number, delayMs: number, cap = MESH_MESSAGE_CAP) {
  const stats = { dropped: 0, firstDeliveredAt: Number.POSITIVE_INFINITY };
  const faults = (_req: Message, reply: CatchUpReply) => {
    if (reply.type !== 'FetchEntriesResponse' || reply.entries.length === 0) return [{ reply }];
    // The entries' wire size (entry-size.ts) is what matters here: an answer to 2000 entries of
    // 10 KB is cut at MAX_ENTRIES_ANSWER_BYTES (6 MiB), over a 5 MiB cap; 500 of them fit.
    const size = estimateEntriesBytes(reply.entries);
    if (size > cap) {
      stats.dropped++;
      return [];
    }
    stats.firstDeliveredAt = Math.min(stats.firstDeliveredAt, clock() + delayMs);
    return [{ reply }];
  };
  return { faults, stats };
}

/** Only the entry requests the session sent for the first time (a resend keeps its request id). */
function freshRequests(pool: PeerPool) {
  const seen = new Set<number>();
  return pool.requests('FetchEntriesRequest').filter((r) => {
    const id = (r.message as FetchEntriesRequest).requestId;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

describe('catch-up with chunks too large for the transport', () => {
  it('a requester that knows no entry size asks small probe chunks first: nothing is refused, nothing times out (10 KB entries)', () => {
    const log = bigEntries(1, 4000);
    const clock = () => pool.now;
    const a = meshCap(clock, 20);
    const leader = meshCap(clock, 20);
    const peers = [poolPeer('a', log, { delay: fixed(20), faults: a.faults }), poolPeer('L', log, { delay: fixed(20), faults: leader.faults })];
    // A new tab: no entries of its own, and no append from the leader buffered yet.
    const pool: PeerPool = PeerPool.create({ peers, leader: 'L', to: 4000, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100, entryBytesHint: undefined });
    const result = pool.run({ maxTimeMs: 60_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 4000)).toBe(true);
    expect(a.stats.dropped + leader.stats.dropped).toBe(0);
    expect(pool.session.stats().timeouts).toBe(0);
    const fresh = freshRequests(pool).map((r) => r.message as FetchEntriesRequest);
    expect(fresh[0].to - fresh[0].from + 1).toBeLessThanOrEqual(FIRST_CHUNK_ENTRIES);
    // Once answered, chunks grow to the byte budget (not one probe after another).
    const budget = Math.floor(CHUNK_BYTES_BUDGET / ENTRY_BYTES);
    expect(Math.max(...fresh.map((m) => m.to - m.from + 1))).toBeGreaterThan(FIRST_CHUNK_ENTRIES);
    for (const m of fresh) expect(m.to - m.from + 1).toBeLessThanOrEqual(budget);
  });

  it('halves the chunk size of a peer whose answers never arrive, until they fit, and completes (a mesh with a 5 MiB message cap, default batch size, 10 KB entries, the requester\'s own commands were 100 B)', () => {
    const log = bigEntries(1, 4000);
    const clock = () => pool.now;
    const a = meshCap(clock, 20, SMALL_MESH_MESSAGE_CAP);
    const leader = meshCap(clock, 20, SMALL_MESH_MESSAGE_CAP);
    const peers = [poolPeer('a', log, { delay: fixed(20), faults: a.faults }), poolPeer('L', log, { delay: fixed(20), faults: leader.faults })];
    // The size the requester guessed from its own log is wrong: the first chunks are whole batches.
    const pool: PeerPool = PeerPool.create({ peers, leader: 'L', to: 4000, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100, entryBytesHint: 100 });
    const result = pool.run({ maxTimeMs: 60_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 4000)).toBe(true);
    // Too-large chunks were asked for, lost, and not asked for again at that size.
    expect(a.stats.dropped + leader.stats.dropped).toBeGreaterThan(0);
    const stats = pool.session.stats();
    expect(stats.timeouts).toBeGreaterThan(0);
    expect(stats.timeouts).toBeLessThanOrEqual(8);
    // Once an answer told the entry size, no new chunk exceeds the byte budget (resends keep their size).
    const fresh = freshRequests(pool);
    const answeredAt = Math.min(a.stats.firstDeliveredAt, leader.stats.firstDeliveredAt);
    expect(answeredAt).toBeLessThan(result.timeMs);
    const budget = Math.floor(CHUNK_BYTES_BUDGET / ENTRY_BYTES);
    const late = fresh.filter((r) => r.at >= answeredAt).map((r) => r.message as FetchEntriesRequest);
    expect(late.length).toBeGreaterThan(0);
    for (const m of late) expect(m.to - m.from + 1).toBeLessThanOrEqual(budget);
    // Each peer was asked for a whole batch only with its first requests (two in flight), never again.
    for (const peer of ['a', 'L']) {
      const whole = fresh.filter((r) => r.to === peer && (r.message as FetchEntriesRequest).to - (r.message as FetchEntriesRequest).from + 1 === 2000);
      expect(whole.length).toBeLessThanOrEqual(2);
    }
    expect(result.timeMs).toBeLessThan(10_000);
  });
});

describe('answers cut for size by their server', () => {
  it('with the default message cap a chunk far too large is answered in part, not lost: the rest is asked of the same peer at once (one source, no timeout, no second availability question)', () => {
    const log = bigEntries(1, 4000);
    const clock = () => pool.now;
    const leader = meshCap(clock, 20);
    const cut: number[] = [];
    const watch = (request: Message, reply: CatchUpReply) => {
      if (request.type === 'FetchEntriesRequest' && reply.type === 'FetchEntriesResponse' && reply.entries.length < request.to - request.from + 1) cut.push(reply.entries.length);
      return leader.faults(request, reply);
    };
    const peers = [poolPeer('L', log, { delay: fixed(20), faults: watch })];
    // The requester guessed 100 B entries from its own log: its first chunks are whole batches (20 MiB).
    const pool: PeerPool = PeerPool.create({ peers, leader: 'L', to: 4000, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100, entryBytesHint: 100 });
    const result = pool.run({ maxTimeMs: 60_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 4000)).toBe(true);
    expect(cut.length).toBeGreaterThan(0);
    for (const n of cut) expect(n * (ENTRY_BYTES + 16)).toBeGreaterThanOrEqual(MAX_ENTRIES_ANSWER_BYTES);
    expect(leader.stats.dropped).toBe(0);
    expect(pool.session.stats().timeouts).toBe(0);
    expect(pool.requests('AvailabilityRequest', 'L')).toHaveLength(1);
    expect(result.timeMs).toBeLessThan(2000);
  });
});

describe('what tells a requester the entry size before any answer', () => {
  it("the leader's appends buffered when the session starts: the first chunks already fit the byte budget", () => {
    const log = bigEntries(1, 4000);
    const peers = [poolPeer('a', log, { delay: fixed(20) }), poolPeer('L', log, { delay: fixed(20) })];
    const pool = PeerPool.create({ peers, leader: 'L', to: 3990, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100, entryBytesHint: undefined });
    // As the engine does on the append that started the session (catchup-driver.ts onAppend).
    pool.session.bufferFromLeader(log.slice(3990, 4000), 1);
    const result = pool.run({ maxTimeMs: 60_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 4000)).toBe(true);
    const first = freshRequests(pool)[0].message as FetchEntriesRequest;
    expect(first.to - first.from + 1).toBe(Math.floor(CHUNK_BYTES_BUDGET / estimateEntriesBytes([log[0]])));
  });
});
