// The persistence interface. The engine never calls it: the host (EngineHost) applies each
// Ready's PersistBatch to a Storage and reports completion with engine.storageDone(token).
// Implementations: MemoryStorage (core), IdbStorage (@meshraft/idb); a user may pass a custom one.
import type { HardState, LogEntry, Snapshot } from './types';

/** Everything a peer recovers on start. */
export interface PersistedState {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, in index order, contiguous. */
  entries: LogEntry[];
}

/** One atomic unit of durable work, produced by the engine in a Ready. Applied in this order. */
export interface PersistBatch {
  /** Install this snapshot, replacing the state machine image and dropping all entries <= its index. */
  snapshot?: Snapshot;
  /** Delete every entry with index >= truncateFrom (conflict resolution, §5.3). */
  truncateFrom?: number;
  /** Append these entries (contiguous, following the last kept entry). */
  entries: LogEntry[];
  hardState?: HardState;
  /** Drop entries with index <= compactTo (already covered by a stored snapshot). */
  compactTo?: number;
}

/** Whether a batch writes anything besides its hard state: entries, a snapshot, a truncation or a compaction. */
export function writesBesidesHardState(batch: PersistBatch): boolean {
  return batch.entries.length > 0 || batch.snapshot !== undefined || batch.truncateFrom !== undefined || batch.compactTo !== undefined;
}

export interface Storage {
  /** Load everything (called once at start). An empty store returns term 0, vote null, no entries. */
  load(): Promise<PersistedState>;
  /** Apply a batch atomically: after a crash either all of it or none of it is visible. */
  persist(batch: PersistBatch): Promise<void>;
  // Direct accessors (used by tests, conformance suite and catch-up serving).
  termAt(index: number): Promise<number | undefined>;
  entries(from: number, to: number): Promise<LogEntry[]>;
  last(): Promise<{ index: number; term: number }>;
  hardState(): Promise<HardState>;
  snapshot(): Promise<Snapshot | null>;
  close(): Promise<void>;
}
