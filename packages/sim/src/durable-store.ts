// A peer's simulated disk: the PersistedState that survives a crash. The simulator applies a
// Ready's PersistBatch here only when its simulated fsync completes; anything not yet applied is
// lost on a crash. Everything is deep-copied in and out, so an engine can never alias the disk.
import type { HardState, LogEntry, PersistBatch, PersistedState, Snapshot } from '@meshraft/core';

export function cloneEntry(entry: LogEntry): LogEntry {
  switch (entry.kind) {
    case 'command':
      return entry.client
        ? { kind: 'command', index: entry.index, term: entry.term, data: entry.data.slice(), client: { ...entry.client } }
        : { kind: 'command', index: entry.index, term: entry.term, data: entry.data.slice() };
    case 'config':
      return { kind: 'config', index: entry.index, term: entry.term, membership: { voters: [...entry.membership.voters], learners: [...entry.membership.learners] } };
    case 'noop':
      return { kind: 'noop', index: entry.index, term: entry.term };
  }
}

function cloneSnapshot(s: Snapshot): Snapshot {
  return { meta: { ...s.meta, membership: { voters: [...s.meta.membership.voters], learners: [...s.meta.membership.learners] } }, data: s.data.slice() };
}

/** Thrown when a batch breaks the Storage contract (gap, wrong order): the simulator reports it. */
export class StorageContractError extends Error {}

export class DurableStore {
  private hard: HardState = { term: 0, vote: null, commit: 0 };
  private snap: Snapshot | null = null;
  /** Entries after the snapshot, contiguous; entries[0].index === firstIndex. */
  private log: LogEntry[] = [];
  private firstIndex = 1;

  get hardState(): HardState {
    return this.hard;
  }

  lastIndex(): number {
    return this.firstIndex + this.log.length - 1;
  }

  entryAt(index: number): LogEntry | undefined {
    return this.log[index - this.firstIndex];
  }

  /** Applies a batch in the documented order; returns the entries removed by truncation. */
  apply(batch: PersistBatch): LogEntry[] {
    let removed: LogEntry[] = [];
    if (batch.snapshot) {
      const index = batch.snapshot.meta.index;
      this.snap = cloneSnapshot(batch.snapshot);
      this.log = this.log.filter((e) => e.index > index);
      this.firstIndex = index + 1;
      if (this.log.length > 0 && this.log[0].index !== this.firstIndex) this.log = [];
    }
    if (batch.truncateFrom !== undefined && batch.truncateFrom <= this.lastIndex()) {
      const keep = Math.max(0, batch.truncateFrom - this.firstIndex);
      removed = this.log.slice(keep);
      this.log = this.log.slice(0, keep);
    }
    for (const entry of batch.entries) {
      if (entry.index !== this.lastIndex() + 1) {
        throw new StorageContractError(`append of index ${entry.index} after last index ${this.lastIndex()}`);
      }
      this.log.push(cloneEntry(entry));
    }
    if (batch.hardState) this.hard = { ...batch.hardState };
    if (batch.compactTo !== undefined && batch.compactTo >= this.firstIndex) {
      const drop = Math.min(this.log.length, batch.compactTo - this.firstIndex + 1);
      this.log = this.log.slice(drop);
      this.firstIndex += drop;
    }
    return removed;
  }

  /** What storage.load() would return after a restart (a deep copy). */
  load(): PersistedState {
    return { hardState: { ...this.hard }, snapshot: this.snap ? cloneSnapshot(this.snap) : null, entries: this.log.map(cloneEntry) };
  }

  /** Committed entries a restarted peer replays into its state machine. */
  committedEntries(): LogEntry[] {
    const upTo = Math.min(this.hard.commit, this.lastIndex());
    return this.log.filter((e) => e.index <= upTo);
  }
}

export function isEmptyBatch(batch: PersistBatch): boolean {
  return batch.entries.length === 0 && !batch.hardState && !batch.snapshot && batch.truncateFrom === undefined && batch.compactTo === undefined;
}
