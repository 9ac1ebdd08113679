// MemoryStorage: the Storage interface over a plain in-memory "disk".
//
// The disk (MemoryDisk) outlives a MemoryStorage: close() and reopening with the same disk models a
// restart, and MemoryStorage.from / dump() let the simulator crash a peer and restart it from exactly
// what was persisted. Invariant kept on the disk: entries directly follow the snapshot (first entry
// index = snapshot index + 1), are contiguous and have non-decreasing terms.
import { ClosedError } from '../errors';
import type { PersistBatch, PersistedState, Storage } from '../storage';
import type { HardState, LogEntry, Snapshot } from '../types';
import { cloneEntry, cloneHardState, clonePersistedState, cloneSnapshot } from './clone';
import { checkBatchShape, planBatch } from '../storage-checks';
import { checkPersistedState } from './validate';

/** The durable state behind one or more successive MemoryStorage instances. */
export interface MemoryDisk {
  state: PersistedState;
}

export function emptyPersistedState(): PersistedState {
  return { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
}

/** A new disk, empty or holding a deep copy of `initial` (validated). */
export function createMemoryDisk(initial?: PersistedState): MemoryDisk {
  if (!initial) return { state: emptyPersistedState() };
  checkPersistedState(initial);
  return { state: clonePersistedState(initial) };
}

export class MemoryStorage implements Storage {
  private closed = false;

  /** Opens `disk` (a fresh empty one by default). Several instances in turn may open the same disk. */
  constructor(readonly disk: MemoryDisk = createMemoryDisk()) {}

  /** A storage over a new disk holding a deep copy of `state` (e.g. what a crashed peer had persisted). */
  static from(state: PersistedState): MemoryStorage {
    return new MemoryStorage(createMemoryDisk(state));
  }

  /** A deep copy of everything persisted so far (works even after close). */
  dump(): PersistedState {
    return clonePersistedState(this.disk.state);
  }

  async load(): Promise<PersistedState> {
    this.assertOpen();
    return this.dump();
  }

  async persist(batch: PersistBatch): Promise<void> {
    this.assertOpen();
    // Validate the whole batch against the current state first, then apply it with code that cannot
    // throw: that is what makes the batch atomic (all of it or none of it).
    this.validate(batch);
    this.apply(batch);
  }

  async termAt(index: number): Promise<number | undefined> {
    this.assertOpen();
    return termIn(this.disk.state, index);
  }

  /** Entries with from <= index <= to that the log still holds (clipped to what is held). */
  async entries(from: number, to: number): Promise<LogEntry[]> {
    this.assertOpen();
    const { entries } = this.disk.state;
    const first = firstIndexOf(this.disk.state);
    const lo = Math.max(from, first) - first;
    const hi = Math.min(to, first + entries.length - 1) - first;
    return hi < lo ? [] : entries.slice(lo, hi + 1).map(cloneEntry);
  }

  async last(): Promise<{ index: number; term: number }> {
    this.assertOpen();
    return lastOf(this.disk.state);
  }

  async hardState(): Promise<HardState> {
    this.assertOpen();
    return cloneHardState(this.disk.state.hardState);
  }

  async snapshot(): Promise<Snapshot | null> {
    this.assertOpen();
    const { snapshot } = this.disk.state;
    return snapshot ? cloneSnapshot(snapshot) : null;
  }

  /** Closes this handle; the disk keeps its contents for the next MemoryStorage opened on it. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('MemoryStorage is closed');
  }

  /** Refuses a batch that is malformed or does not fit what is stored (shared rules, storage-checks.ts). */
  private validate(batch: PersistBatch): void {
    checkBatchShape(batch);
    const state = this.disk.state;
    const snapshot = state.snapshot ? { index: state.snapshot.meta.index, term: state.snapshot.meta.term } : null;
    planBatch(
      {
        snapshot,
        last: lastOf(state),
        hardStateTerm: state.hardState.term,
        entryTermAtSnapshot: batch.snapshot ? termIn(state, batch.snapshot.meta.index) : undefined,
        entryTermBeforeTruncate: batch.truncateFrom !== undefined ? termIn(state, batch.truncateFrom - 1) : undefined,
      },
      batch,
    );
  }

  private apply(batch: PersistBatch): void {
    const state = this.disk.state;
    if (batch.snapshot !== undefined) {
      const { index, term } = batch.snapshot.meta;
      // §7: keep the entries after the snapshot only if the log agrees with it at its last index.
      const keepTail = termIn(state, index) === term;
      const first = firstIndexOf(state);
      state.entries = keepTail ? state.entries.slice(Math.max(0, index + 1 - first)) : [];
      state.snapshot = cloneSnapshot(batch.snapshot);
    }
    if (batch.truncateFrom !== undefined) {
      const keep = batch.truncateFrom - firstIndexOf(state);
      if (keep < state.entries.length) state.entries.length = Math.max(0, keep);
    }
    for (const entry of batch.entries) state.entries.push(cloneEntry(entry));
    if (batch.hardState !== undefined) state.hardState = cloneHardState(batch.hardState);
    // compactTo never exceeds the snapshot index (validated) and the disk holds no entries at or below
    // it, so under the current contract there is nothing left to drop; kept for generality.
    if (batch.compactTo !== undefined) {
      const drop = batch.compactTo + 1 - firstIndexOf(state);
      if (drop > 0) state.entries = state.entries.slice(drop);
    }
  }
}

/** A MemoryStorage over `disk` (a fresh empty disk by default). */
export function createMemoryStorage(disk?: MemoryDisk): MemoryStorage {
  return new MemoryStorage(disk);
}

function firstIndexOf(state: PersistedState): number {
  return (state.snapshot?.meta.index ?? 0) + 1;
}

function lastOf(state: PersistedState): { index: number; term: number } {
  const { entries, snapshot } = state;
  if (entries.length > 0) {
    const tail = entries[entries.length - 1];
    return { index: tail.index, term: tail.term };
  }
  return snapshot ? { index: snapshot.meta.index, term: snapshot.meta.term } : { index: 0, term: 0 };
}

/** Term of `index`: 0 for the empty-log sentinel, the snapshot's term at its boundary, undefined if not held. */
function termIn(state: PersistedState, index: number): number | undefined {
  if (index === 0) return 0;
  const { snapshot, entries } = state;
  if (snapshot && index === snapshot.meta.index) return snapshot.meta.term;
  const offset = index - firstIndexOf(state);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= entries.length) return undefined;
  return entries[offset].term;
}
