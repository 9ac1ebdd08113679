// The serving side of catch-up: answers from what a peer holds, always valid on the wire.
import { describe, expect, it } from 'vitest';
import { answerCatchUpRequest, arraySource } from '../src/catchup/responder';
import { decodeMessage, encodeMessage } from '../src/codec/index';
import type { Message } from '../src/messages';
import type { Snapshot } from '../src/types';
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
});
