import { describe, expect, it } from 'vitest';
import { InvalidInputError, type LogEntry, type PersistBatch, type Snapshot } from '../src/index';
import { checkBatchShape, planBatch, type StoredPosition } from '../src/storage-checks';

const entry = (index: number, term: number): LogEntry => ({ kind: 'command', index, term, data: new Uint8Array([index]) });
const run = (from: number, to: number, term: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
const snapshot = (index: number, term: number): Snapshot => ({
  meta: { index, term, membership: { voters: ['a'], learners: [] } },
  data: new Uint8Array([1, 2, 3]),
});

/** A log holding a snapshot at 10 (term 2) and entries 11..20 (term 3), stored term 3. */
const position = (overrides: Partial<StoredPosition> = {}): StoredPosition => ({
  snapshot: { index: 10, term: 2 },
  last: { index: 20, term: 3 },
  hardStateTerm: 3,
  entryTermAtSnapshot: undefined,
  entryTermBeforeTruncate: undefined,
  ...overrides,
});

const refused = (fn: () => unknown) => expect(fn).toThrow(InvalidInputError);

describe('checkBatchShape', () => {
  it('accepts a well-formed batch of every kind of entry', () => {
    const batch: PersistBatch = {
      entries: [
        { kind: 'noop', index: 1, term: 1 },
        { kind: 'command', index: 2, term: 1, data: new Uint8Array(0), client: { clientId: 'c', seq: 0 } },
        { kind: 'config', index: 3, term: 2, membership: { voters: ['a', 'b'], learners: [] } },
      ],
      hardState: { term: 2, vote: 'a', commit: 1 },
      snapshot: snapshot(0, 0),
      truncateFrom: 1,
      compactTo: 0,
    };
    expect(() => checkBatchShape(batch)).not.toThrow();
  });

  it('refuses malformed batches with InvalidInputError', () => {
    refused(() => checkBatchShape({} as PersistBatch));
    refused(() => checkBatchShape({ entries: [entry(1, 1), entry(3, 1)] }));
    refused(() => checkBatchShape({ entries: [entry(1, 2), entry(2, 1)] }));
    refused(() => checkBatchShape({ entries: [entry(0, 1)] }));
    refused(() => checkBatchShape({ entries: [{ kind: 'command', index: 1, term: 1, data: [1] } as unknown as LogEntry] }));
    refused(() => checkBatchShape({ entries: [{ kind: 'bogus', index: 1, term: 1 } as unknown as LogEntry] }));
    refused(() => checkBatchShape({ entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: [1], learners: [] } } as unknown as LogEntry] }));
    refused(() => checkBatchShape({ entries: [], truncateFrom: 0 }));
    refused(() => checkBatchShape({ entries: [], compactTo: -1 }));
    refused(() => checkBatchShape({ entries: [], hardState: { term: 1.5, vote: null, commit: 0 } }));
    refused(() => checkBatchShape({ entries: [], hardState: { term: 1, vote: 7 as unknown as string, commit: 0 } }));
    refused(() => checkBatchShape({ entries: [], snapshot: { ...snapshot(1, 1), data: 'x' as unknown as Uint8Array } }));
  });
});

describe('planBatch', () => {
  it('accepts entries that continue the log and refuses gaps, overlaps and falling terms', () => {
    expect(() => planBatch(position(), { entries: run(21, 22, 3) })).not.toThrow();
    refused(() => planBatch(position(), { entries: run(22, 22, 3) }));
    refused(() => planBatch(position(), { entries: run(20, 20, 3) }));
    refused(() => planBatch(position(), { entries: run(21, 21, 2) }));
  });

  it('truncation moves the end of the log back to the entry before it', () => {
    const batch = { truncateFrom: 15, entries: run(15, 16, 4) };
    expect(() => planBatch(position({ entryTermBeforeTruncate: 3 }), batch)).not.toThrow();
    // The new entries must still not fall below the kept entry's term.
    refused(() => planBatch(position({ entryTermBeforeTruncate: 5 }), batch));
    // Truncating right after the snapshot: the snapshot's term bounds the next entry.
    expect(() => planBatch(position(), { truncateFrom: 11, entries: run(11, 11, 2) })).not.toThrow();
    // A truncation past the end changes nothing.
    expect(() => planBatch(position(), { truncateFrom: 30, entries: run(21, 21, 3) })).not.toThrow();
  });

  it('refuses truncating or compacting across the snapshot boundary', () => {
    refused(() => planBatch(position(), { truncateFrom: 10, entries: [] }));
    refused(() => planBatch(position(), { compactTo: 11, entries: [] }));
    expect(() => planBatch(position(), { compactTo: 10, entries: [] })).not.toThrow();
  });

  it('keeps the tail after a snapshot only when the log agrees with it (Raft §7)', () => {
    expect(planBatch(position({ entryTermAtSnapshot: 3 }), { snapshot: snapshot(15, 3), entries: [] }).keepTailAfterSnapshot).toBe(true);
    const conflicting = planBatch(position({ entryTermAtSnapshot: 3 }), { snapshot: snapshot(15, 4), entries: run(16, 16, 4) });
    expect(conflicting.keepTailAfterSnapshot).toBe(false);
    // Kept tail: new entries continue after the old last entry, not after the snapshot.
    refused(() => planBatch(position({ entryTermAtSnapshot: 3 }), { snapshot: snapshot(15, 3), entries: run(16, 16, 3) }));
    // A snapshot beyond the log replaces it entirely.
    expect(planBatch(position(), { snapshot: snapshot(40, 5), entries: run(41, 41, 5) }).keepTailAfterSnapshot).toBe(false);
  });

  it('refuses an older snapshot and a hard state whose term goes down', () => {
    refused(() => planBatch(position(), { snapshot: snapshot(9, 2), entries: [] }));
    refused(() => planBatch(position(), { entries: [], hardState: { term: 2, vote: null, commit: 0 } }));
    expect(() => planBatch(position(), { entries: [], hardState: { term: 3, vote: 'b', commit: 20 } })).not.toThrow();
  });

  it('treats an empty store as term 0 at index 0', () => {
    const empty: StoredPosition = { snapshot: null, last: { index: 0, term: 0 }, hardStateTerm: 0, entryTermAtSnapshot: undefined, entryTermBeforeTruncate: undefined };
    expect(() => planBatch(empty, { entries: run(1, 3, 1), hardState: { term: 1, vote: null, commit: 0 } })).not.toThrow();
    refused(() => planBatch(empty, { entries: run(2, 2, 1) }));
  });
});
