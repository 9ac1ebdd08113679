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
import { checkHardState, checkPersistedState, checkRun, checkSnapshot, invalidBatch } from './validate';

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

  /** Replays the batch's effects on (snapshot index, last index, last term) only, throwing on any violation. */
  private validate(batch: PersistBatch): void {
    const state = this.disk.state;
    if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.entries)) invalidBatch('batch.entries must be an array');
    let snapshotIndex = state.snapshot?.meta.index ?? 0;
    let snapshotTerm = state.snapshot?.meta.term ?? 0;
    let { index: last, term: lastTerm } = lastOf(state);
    if (batch.snapshot !== undefined) {
      checkSnapshot(batch.snapshot, 'batch.snapshot');
      const { index, term } = batch.snapshot.meta;
      if (index < snapshotIndex) invalidBatch(`batch.snapshot at ${index} is older than the stored snapshot at ${snapshotIndex}`);
      if (termIn(state, index) !== term || index > last) {
        last = index;
        lastTerm = term;
      }
      snapshotIndex = index;
      snapshotTerm = term;
    }
    if (batch.truncateFrom !== undefined) {
      const from = batch.truncateFrom;
      if (!Number.isSafeInteger(from) || from <= snapshotIndex) {
        invalidBatch(`batch.truncateFrom ${String(from)} would delete entries covered by the snapshot at ${snapshotIndex}`);
      }
      if (from <= last) {
        last = from - 1;
        // The new last entry is either a surviving entry (stored before this batch) or the snapshot point.
        lastTerm = last === snapshotIndex ? snapshotTerm : (termIn(state, last) ?? invalidBatch(`no term for index ${last}`));
      }
    }
    checkRun(batch.entries, last + 1, lastTerm, 'batch.entries');
    if (batch.hardState !== undefined) {
      checkHardState(batch.hardState, 'batch.hardState');
      // currentTerm only grows (Raft Fig. 2); a decrease means the host lost track of its own term.
      if (batch.hardState.term < state.hardState.term) {
        invalidBatch(`batch.hardState.term ${batch.hardState.term} is below the stored term ${state.hardState.term}`);
      }
    }
    if (batch.compactTo !== undefined) {
      const to = batch.compactTo;
      if (!Number.isSafeInteger(to) || to < 0 || to > snapshotIndex) {
        invalidBatch(`batch.compactTo ${String(to)} is not covered by a stored snapshot (snapshot index ${snapshotIndex})`);
      }
    }
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
