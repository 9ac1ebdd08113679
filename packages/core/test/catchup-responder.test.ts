// The serving side of catch-up: answers from what a peer holds, always valid on the wire.
import { describe, expect, it } from 'vitest';
import { estimateEntriesBytes, estimateEntryBytes } from '../src/catchup/entry-size';
import { answerCatchUpRequest, arraySource, type CatchUpSource, MAX_ENTRIES_ANSWER_BYTES, MAX_SNAPSHOT_PIECE_BYTES } from '../src/catchup/responder';
import { decodeMessage, encodeMessage } from '../src/codec/index';
import type { Message } from '../src/messages';
import type { LogEntry, Snapshot } from '../src/types';
import { makeEntries } from './catchup-pool';

const snapshot: Snapshot = { meta: { index: 100, term: 2, membership: { voters: ['a'], learners: [] } }, data: new Uint8Array(2500).fill(7) };
const source = arraySource({ entries: makeEntries(101, 300), committed: 250, snapshot, term: 4 });
const ask = (m: Message) => {
  const reply = answerCatchUpRequest(source, m)!;
  expect(decodeMessage(encodeMessage(reply))).toEqual(reply); // valid for the strict codec
  return reply;
};

describe('answerCatchUpRequest', () => {
  it('advertises the committed range it holds and its snapshot', () => {
    expect(ask({ type: 'AvailabilityRequest', requestId: 4 })).toEqual({
      type: 'AvailabilityResponse',
      requestId: 4,
      senderTerm: 4,
      firstIndex: 101,
      committed: 250,
      snapshot: { ...snapshot.meta, size: 2500 },
    });
  });

  it('serves committed entries only, nothing compacted', () => {
    const within = ask({ type: 'FetchEntriesRequest', requestId: 5, from: 240, to: 260 });
    expect(within.type === 'FetchEntriesResponse' && within.entries.map((e) => e.index)).toEqual([240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250]);
    const compacted = ask({ type: 'FetchEntriesRequest', requestId: 6, from: 50, to: 120 });
    expect(compacted.type === 'FetchEntriesResponse' && compacted.entries).toEqual([]);
    const beyond = ask({ type: 'FetchEntriesRequest', requestId: 7, from: 251, to: 260 });
    expect(beyond.type === 'FetchEntriesResponse' && beyond.entries).toEqual([]);
  });

  it('serves snapshot pieces, and says "not held" for another snapshot', () => {
    const last = ask({ type: 'FetchSnapshotRequest', requestId: 8, index: 100, term: 2, offset: 2000, length: 1000 });
    expect(last).toMatchObject({ offset: 2000, totalSize: 2500, meta: null });
    expect(last.type === 'FetchSnapshotResponse' && last.data.length).toBe(500);
    const first = ask({ type: 'FetchSnapshotRequest', requestId: 9, index: 100, term: 2, offset: 0, length: 1000 });
    expect(first).toMatchObject({ meta: snapshot.meta });
    const other = ask({ type: 'FetchSnapshotRequest', requestId: 10, index: 90, term: 2, offset: 0, length: 1000 });
    expect(other.type === 'FetchSnapshotResponse' && other.data.length).toBe(0);
  });

  it('ignores other messages', () => {
    expect(answerCatchUpRequest(source, { type: 'TimeoutNow', term: 3 })).toBeNull();
  });

  describe('answers of bounded size, whatever the request names', () => {
    /** `count` command entries of `bytes` each (one shared buffer), all committed, and how many were read. */
    function heldLog(count: number, bytes: number): { source: CatchUpSource; read: () => number } {
      const data = new Uint8Array(bytes).fill(3);
      const entries: LogEntry[] = Array.from({ length: count }, (_, i) => ({ index: i + 1, term: 1, kind: 'command', data }));
      const inner = arraySource({ entries, committed: count, term: 1 });
      let read = 0;
      const source: CatchUpSource = {
        ...inner,
        entries: (from, to) => {
          const out = inner.entries(from, to);
          read += out.length;
          return out;
        },
      };
      return { source, read: () => read };
    }
    const fetchAll = (source: CatchUpSource, to: number) => {
      const reply = answerCatchUpRequest(source, { type: 'FetchEntriesRequest', requestId: 1, from: 1, to });
      if (reply?.type !== 'FetchEntriesResponse') throw new Error('not an entries answer');
      return reply.entries;
    };

    it('a request for a million entries of a long log gets an answer cut once it reaches MAX_ENTRIES_ANSWER_BYTES, read a window at a time', () => {
      const held = heldLog(1_000_000, 100);
      const entries = fetchAll(held.source, 1_000_000);
      const bytes = estimateEntriesBytes(entries);
      expect(bytes).toBeGreaterThanOrEqual(MAX_ENTRIES_ANSWER_BYTES);
      expect(bytes - estimateEntryBytes(entries.at(-1)!)).toBeLessThan(MAX_ENTRIES_ANSWER_BYTES);
      expect(entries.map((e) => e.index)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
      expect(entries.length).toBeLessThan(1_000_000 / 10);
      // Only the windows the answer needed were read, never the whole requested range.
      expect(held.read()).toBeLessThan(entries.length + 1024);
    });

    it('an entry larger than the cap is still served, alone', () => {
      const held = heldLog(3, MAX_ENTRIES_ANSWER_BYTES + 1);
      expect(fetchAll(held.source, 3).map((e) => e.index)).toEqual([1]);
    });

    it('a snapshot piece is cut at MAX_SNAPSHOT_PIECE_BYTES, whatever length the request names', () => {
      const big: Snapshot = { meta: { index: 10, term: 1, membership: { voters: ['a'], learners: [] } }, data: new Uint8Array(MAX_SNAPSHOT_PIECE_BYTES * 3) };
      const held = arraySource({ entries: [], committed: 10, snapshot: big, term: 1 });
      const piece = (offset: number, length: number) => {
        const reply = answerCatchUpRequest(held, { type: 'FetchSnapshotRequest', requestId: 2, index: 10, term: 1, offset, length });
        if (reply?.type !== 'FetchSnapshotResponse') throw new Error('not a snapshot answer');
        return reply;
      };
      const asked = piece(0, 64 * 1024 * 1024);
      expect(asked.data.length).toBe(MAX_SNAPSHOT_PIECE_BYTES);
      expect(asked).toMatchObject({ offset: 0, totalSize: big.data.length, meta: big.meta });
      // A piece at the cap and the snapshot's last piece are answered whole.
      expect(piece(MAX_SNAPSHOT_PIECE_BYTES, MAX_SNAPSHOT_PIECE_BYTES).data.length).toBe(MAX_SNAPSHOT_PIECE_BYTES);
      expect(piece(big.data.length - 100, MAX_SNAPSHOT_PIECE_BYTES + 1).data.length).toBe(100);
    });

    it('a range under the cap is answered whole (a short answer under the cap means "nothing past this")', () => {
      const held = heldLog(2000, 1000);
      expect(fetchAll(held.source, 2000)).toHaveLength(2000);
    });
  });
});
