// On a link slower than a chunk per request timeout (the default 2000 entries of 1 KB, 2 MB, take
// 4 s on a 500 KB/s TURN-relayed path; the timeout is 2 s), every answer arrived after its request
// timed out and was dropped, and the same chunk was asked again: catch-up made no progress at all.
// A timeout now halves that peer's chunk size until its answers arrive in time (chunk-sizes.ts),
// fast answers grow it back, and a late answer still fills what of its range is unfetched
// (reply-intake.ts).
import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES } from '../src/catchup/entry-size';
import type { CatchUpReply } from '../src/catchup/responder';
import type { FetchEntriesRequest, Message } from '../src/messages';
import type { LogEntry } from '../src/types';
import { fixed, indicesAre, PeerPool, poolPeer } from './catchup-pool';

const ENTRY_BYTES = 1024;
const shared = new Uint8Array(ENTRY_BYTES).fill(7);

function entries(from: number, to: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term: 1 + Math.floor(i / 1000), kind: 'command', data: shared });
  return out;
}

/**
 * One serving peer's uplink at `bytesPerMs(now)`: a fetch answer leaves once the previous one has
 * left (answers to timed-out requests and second sendings too: nothing calls them back). Availability
 * answers travel on the control channel, ahead of bulk frames (webrtc send-scheduler.ts).
 */
function serialLink(clock: () => number, bytesPerMs: (now: number) => number) {
  let free = 0;
  return (_req: Message, reply: CatchUpReply) => {
    if (reply.type !== 'FetchEntriesResponse') return [{ reply }];
    const bytes = reply.entries.length * (ENTRY_BYTES + ENTRY_OVERHEAD_BYTES);
    const start = Math.max(clock(), free);
    free = start + bytes / bytesPerMs(start);
    return [{ reply, extraDelay: free - clock() }];
  };
}

/** Entries asked per new request (a second sending of a request is left out), in the order sent. */
function chunkSizes(pool: PeerPool): Array<{ at: number; entries: number }> {
  const seen = new Set<number>();
  const out: Array<{ at: number; entries: number }> = [];
  for (const r of pool.requests('FetchEntriesRequest')) {
    const m = r.message as FetchEntriesRequest;
    if (seen.has(m.requestId)) continue;
    seen.add(m.requestId);
    out.push({ at: r.at, entries: m.to - m.from + 1 });
  }
  return out;
}

describe('catch-up over a link slower than a chunk per request timeout', () => {
  it('shrinks the chunk size until answers arrive in time, takes late answers, and completes (500 KB/s, 2 MB chunks, 2 s timeout)', () => {
    const log = entries(1, 8000);
    const clock = () => pool.now;
    const peers = [
      poolPeer('a', log, { delay: fixed(20), faults: serialLink(clock, () => 500) }),
      poolPeer('L', log, { delay: fixed(20), faults: serialLink(clock, () => 500) }),
    ];
    const pool: PeerPool = PeerPool.create({ peers, leader: 'L', to: 8000, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100 });
    const result = pool.run({ maxTimeMs: 120_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 8000)).toBe(true);
    // 8 MB over one 500 KB/s link (the leader serves last) is 17 s; the answers queued on the links
    // before the chunk size fitted (second sendings included) cost about as much again.
    expect(result.timeMs).toBeLessThan(45_000);
    const stats = pool.session.stats();
    expect(stats.lateAnswers).toBeGreaterThan(0);
    // The entries of the last seconds came in chunks that fit the link, well under batchSize.
    const sizes = chunkSizes(pool);
    const tail = sizes.filter((s) => s.at > result.timeMs - 4000);
    expect(tail.length).toBeGreaterThan(4);
    for (const s of tail) expect(s.entries).toBeLessThan(2000);
  });

  it('grows the chunk size back to the batch size once the link is fast again', () => {
    const log = entries(1, 20_000);
    const clock = () => pool.now;
    // 500 KB/s for answers leaving before 20 s, 20 MB/s after.
    const rate = (now: number) => (now < 20_000 ? 500 : 20_000);
    const peers = [poolPeer('a', log, { delay: fixed(20), faults: serialLink(clock, rate) }), poolPeer('L', log, { delay: fixed(20), faults: serialLink(clock, rate) })];
    const pool: PeerPool = PeerPool.create({ peers, leader: 'L', to: 20_000, batchSize: 2000, requestTimeoutMs: 2000, tickMs: 100 });
    const result = pool.run({ maxTimeMs: 120_000 });
    expect(pool.session.done).toBe(true);
    expect(indicesAre(result.entries, 1, 20_000)).toBe(true);
    const sizes = chunkSizes(pool);
    // Both peers' first chunks timed out by 4.2 s; from then on, while the link is slow, the chunks
    // are small.
    const slow = sizes.filter((s) => s.at > 4500 && s.at < 20_000);
    expect(slow.length).toBeGreaterThan(0);
    for (const s of slow) expect(s.entries).toBeLessThanOrEqual(500);
    // Doubling after every two fast answers: back at batchSize soon after the link is fast.
    const fast = sizes.filter((s) => s.at > 20_000);
    expect(fast.some((s) => s.entries === 2000)).toBe(true);
    expect(result.timeMs).toBeLessThan(25_000);
  });
});
