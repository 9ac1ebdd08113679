// Adaptive per-peer chunk sizes (chunk-sizes.ts) and late answers (reply-intake.ts): a timeout
// halves the chunk size of the peer that did not answer, fast answers double it back, and an answer
// arriving after its request timed out still fills what of its range is unfetched, after the same
// checks as any answer. (The wedges they fix: catchup-oversized-chunks.test.ts, catchup-slow-link.test.ts.)
import { describe, expect, it } from 'vitest';
import { CatchUpSession } from '../src/catchup/catch-up-session';
import { CHUNK_BYTES_BUDGET, ChunkSizes, FIRST_CHUNK_ENTRIES } from '../src/catchup/chunk-sizes';
import type { Envelope, FetchEntriesRequest, Message } from '../src/messages';
import type { LogEntry } from '../src/types';
import { makeEntries } from './catchup-pool';

/** What a requester whose own latest commands are small (100 B) knows before any answer. */
const SMALL_ENTRY_BYTES = 100;

describe('ChunkSizes', () => {
  it('starts at the batch size, halves on a timeout down to one entry, never raised by a timeout', () => {
    const sizes = new ChunkSizes(2000, 2000, SMALL_ENTRY_BYTES);
    expect(sizes.sizeFor('a')).toBe(2000);
    sizes.timedOut('a', 2000);
    expect(sizes.sizeFor('a')).toBe(1000);
    expect(sizes.sizeFor('b')).toBe(2000); // per peer
    sizes.timedOut('a', 2000); // the other request in flight, sent at the old size: no second halving
    expect(sizes.sizeFor('a')).toBe(1000);
    sizes.timedOut('a', 100); // a small request timed out: half of it
    expect(sizes.sizeFor('a')).toBe(50);
    for (let i = 0; i < 20; i++) sizes.timedOut('a', sizes.sizeFor('a'));
    expect(sizes.sizeFor('a')).toBe(1);
  });

  it('doubles after two fast full answers of the whole chunk size in a row, up to the batch size', () => {
    const sizes = new ChunkSizes(2000, 2000, SMALL_ENTRY_BYTES);
    sizes.timedOut('a', 2000);
    sizes.timedOut('a', 1000); // 500
    sizes.answered('a', 500, 500, 400);
    expect(sizes.sizeFor('a')).toBe(500);
    sizes.answered('a', 500, 500, 500); // a quarter of the timeout is still fast
    expect(sizes.sizeFor('a')).toBe(1000);
    // Not fast enough (between a quarter and a half of the timeout): the streak starts over.
    sizes.answered('a', 1000, 1000, 100);
    sizes.answered('a', 1000, 1000, 900);
    sizes.answered('a', 1000, 1000, 100);
    expect(sizes.sizeFor('a')).toBe(1000);
    // Short answers and smaller requests say little about a whole chunk.
    sizes.answered('a', 1000, 10, 50);
    sizes.answered('a', 10, 10, 50);
    expect(sizes.sizeFor('a')).toBe(1000);
    sizes.answered('a', 1000, 1000, 100);
    expect(sizes.sizeFor('a')).toBe(2000);
    sizes.answered('a', 2000, 2000, 10);
    sizes.answered('a', 2000, 2000, 10);
    expect(sizes.sizeFor('a')).toBe(2000);
  });

  it('a long round trip does not keep the chunk size down: only the time a larger chunk adds counts', () => {
    const sizes = new ChunkSizes(2000, 2000, SMALL_ENTRY_BYTES);
    sizes.timedOut('a', 2000);
    sizes.timedOut('b', 2000);
    // 700 ms answers: too slow to double without knowing the round trip (a quarter of the timeout is 500 ms)...
    for (let i = 0; i < 4; i++) sizes.answered('b', 1000, 1000, 700);
    expect(sizes.sizeFor('b')).toBe(1000);
    // ...but with a 600 ms round trip, twice the chunk is expected back in 800 ms, within half the timeout.
    sizes.noteRoundTrip('a', 900);
    sizes.noteRoundTrip('a', 600); // the fastest counts
    sizes.noteRoundTrip('a', 650);
    sizes.answered('a', 1000, 1000, 700);
    sizes.answered('a', 1000, 1000, 700);
    expect(sizes.sizeFor('a')).toBe(2000);
    // Slower answers (600 + 2 x 300 > 1000) do not grow it.
    sizes.timedOut('a', 2000);
    sizes.answered('a', 1000, 1000, 900);
    sizes.answered('a', 1000, 1000, 900);
    expect(sizes.sizeFor('a')).toBe(1000);
  });

  it('knowing no entry size, asks for small probe chunks until an answer (or the leader appends) tells it', () => {
    const sizes = new ChunkSizes(2000, 2000);
    expect(sizes.sizeFor('a')).toBe(FIRST_CHUNK_ENTRIES);
    expect(sizes.sized()).toBe(false);
    sizes.noteBytes(32, 32 * 100);
    expect(sizes.sized()).toBe(true);
    expect(sizes.sizeFor('a')).toBe(2000);
    // Large entries known before any answer (the requester's own, or the leader's appends): the
    // first chunk already fits the byte budget.
    expect(new ChunkSizes(2000, 2000, 10_000).sizeFor('a')).toBe(Math.floor(CHUNK_BYTES_BUDGET / 10_000));
    // Answers replace the hint.
    const hinted = new ChunkSizes(2000, 2000, 10_000);
    hinted.noteBytes(10, 10 * 100);
    expect(hinted.sizeFor('a')).toBe(2000);
  });

  it('keeps chunks within the byte budget once the average entry size is known', () => {
    const sizes = new ChunkSizes(2000, 2000, SMALL_ENTRY_BYTES);
    sizes.noteBytes(0, 0);
    expect(sizes.sizeFor('a')).toBe(2000);
    sizes.noteBytes(100, 100 * 10_000);
    expect(sizes.sizeFor('a')).toBe(Math.floor(CHUNK_BYTES_BUDGET / 10_000));
    sizes.noteBytes(1, 8 * 1024 * 1024); // one huge entry: still one entry per chunk at least
    sizes.noteBytes(1, 8 * 1024 * 1024);
    expect(sizes.sizeFor('b')).toBeGreaterThanOrEqual(1);
  });
});

/** A session driven by hand: peers a and b (no leader), 100 entries in chunks of 50, 1 s timeout. */
function handSession() {
  const log = makeEntries(1, 100);
  const session = new CatchUpSession({
    self: 'me',
    leader: null,
    peers: ['a', 'b'],
    from: 1,
    to: 100,
    localSnapshotIndex: 0,
    prevTerm: 0,
    batchSize: 50,
    requestTimeoutMs: 1000,
    snapshotChunkBytes: 1024,
    firstRequestId: 1,
    now: 0,
    entryBytesHint: SMALL_ENTRY_BYTES,
  });
  const outbox: Envelope[] = [];
  const take = () => outbox.push(...session.takeOutbox());
  const pick = <T extends Message['type']>(type: T, to: string) => {
    const i = outbox.findIndex((e) => e.message.type === type && e.to === to);
    if (i < 0) throw new Error(`no ${type} to ${to}`);
    return outbox.splice(i, 1)[0].message as Extract<Message, { type: T }>;
  };
  const fetches = (to: string) => outbox.filter((e) => e.to === to && e.message.type === 'FetchEntriesRequest').map((e) => e.message as FetchEntriesRequest);
  const answerAvailability = (peer: string, now: number) => {
    const q = pick('AvailabilityRequest', peer);
    session.receive(peer, { type: 'AvailabilityResponse', requestId: q.requestId, senderTerm: 1, firstIndex: 1, committed: 100, snapshot: null }, now);
    take();
  };
  const answer = (peer: string, request: FetchEntriesRequest, now: number, entries: LogEntry[] = log.slice(request.from - 1, request.to)) => {
    session.receive(peer, { type: 'FetchEntriesResponse', requestId: request.requestId, senderTerm: 1, entries }, now);
    take();
  };
  const output = () => session.takeOutput().flatMap((o) => (o.kind === 'entries' ? o.entries.map((e) => e.index) : []));
  session.start(0);
  take();
  // a answers first and gets both chunks; then both time out: a's chunk size halves to 25.
  answerAvailability('a', 1);
  const [first, second] = fetches('a');
  expect([first.from, first.to, second.from, second.to]).toEqual([1, 50, 51, 100]);
  outbox.length = 0;
  session.tick(1100);
  take();
  expect(session.stats().timeouts).toBe(2);
  // Both were sent a second time (overdue, same ids) before they timed out.
  expect(session.stats().resends).toBe(2);
  for (let i = outbox.length - 1; i >= 0; i--) if (outbox[i].message.type === 'FetchEntriesRequest') outbox.splice(i, 1);
  return { session, log, outbox, take, fetches, answerAvailability, answer, output, first, second };
}

describe('late answers', () => {
  it('a late answer fills the part of its range still unfetched; the chunks asked meanwhile are half the size', () => {
    const h = handSession();
    h.answerAvailability('a', 1110);
    const again = h.fetches('a');
    expect(again.map((r) => [r.from, r.to])).toEqual([
      [1, 25],
      [26, 50],
    ]);
    h.answer('a', again[1], 1120); // 26..50 in time
    h.answer('a', h.first, 1130); // the late answer to 1..50: only 1..25 is new
    expect(h.output()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(h.session.stats().lateAnswers).toBe(1);
    h.answer('a', again[0], 1140); // in time, but nothing new any more: nothing output twice
    h.answer('a', h.second, 1150); // late, 51..100
    expect(h.output()).toEqual(Array.from({ length: 50 }, (_, i) => i + 51));
    expect(h.session.done).toBe(true);
    expect(h.session.stats().lateAnswers).toBe(2);
  });

  it('a late answer must pass the same checks as any answer, come from the peer asked, and counts once', () => {
    const h = handSession();
    const ignored = () => h.session.stats().ignoredReplies;
    const before = ignored();
    // From another peer than the one asked.
    h.answer('b', h.first, 1110);
    // Indices that do not start at the request's first index, or that have a hole.
    h.answer('a', h.second, 1120, h.log.slice(51, 100));
    expect(ignored()).toBe(before + 2);
    expect(h.output()).toEqual([]);
    // The same checks, so the same consequence as for an answer in time: a's availability is
    // forgotten (so it gets nothing until it answers again).
    h.answerAvailability('b', 1130);
    expect(h.fetches('a')).toEqual([]);
    // A good late answer counts once; its second copy (the request was sent twice) is ignored.
    h.answer('a', h.first, 1140);
    expect(h.output()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    h.answer('a', h.first, 1150);
    expect(ignored()).toBe(before + 3);
    expect(h.session.stats().lateAnswers).toBe(1);
  });
});
