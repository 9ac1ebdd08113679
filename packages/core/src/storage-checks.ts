// Checking a PersistBatch before a Storage applies it; shared by MemoryStorage and IdbStorage so
// every backend refuses exactly the same batches (the conformance suite relies on it). Pure functions:
//  - checkBatchShape: what can be checked from the batch alone (types, contiguity);
//  - planBatch: the batch against what is stored (read in the same transaction), so a batch that
//    would break the log's invariants is refused whole and nothing of it is written.
// Stored-log invariants kept: entries directly follow the snapshot, are contiguous, and their terms
// never decrease (Raft §5.3); currentTerm never decreases (Raft Fig. 2).
import { InvalidInputError } from './errors';
import type { PersistBatch } from './storage';
import type { HardState, LogEntry, Snapshot } from './types';

/** A PersistBatch or PersistedState violates the storage contract (a host or engine bug). */
export class InvalidBatchError extends InvalidInputError {
  override name = 'InvalidBatchError';
}

export function refuseBatch(message: string): never {
  throw new InvalidBatchError(`persist: ${message}`);
}
function refuse(message: string): never {
  return refuseBatch(message);
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function checkMembership(value: unknown, where: string): void {
  const m = value as { voters?: unknown; learners?: unknown } | null;
  if (!m || !Array.isArray(m.voters) || !Array.isArray(m.learners)) refuse(`${where}: membership needs voters[] and learners[]`);
  for (const id of [...m.voters, ...m.learners]) if (typeof id !== 'string') refuse(`${where}: member ids must be strings`);
}

export function checkEntry(entry: LogEntry, where: string): void {
  if (typeof entry !== 'object' || entry === null) refuse(`${where}: not an entry`);
  if (!isUint(entry.index) || entry.index < 1) refuse(`${where}: index must be an integer >= 1`);
  if (!isUint(entry.term)) refuse(`${where}: term must be an integer >= 0`);
  switch (entry.kind) {
    case 'noop':
      return;
    case 'command':
      if (!(entry.data instanceof Uint8Array)) refuse(`${where}: command data must be a Uint8Array`);
      if (entry.client !== undefined && (typeof entry.client?.clientId !== 'string' || !isUint(entry.client.seq))) {
        refuse(`${where}: malformed client tag`);
      }
      return;
    case 'config':
      checkMembership(entry.membership, where);
      return;
    default:
      refuse(`${where}: unknown entry kind ${String((entry as { kind: unknown }).kind)}`);
  }
}

/** Everything checkable without reading the store. Throws InvalidInputError. */
export function checkBatchShape(batch: PersistBatch): void {
  if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.entries)) refuse('batch.entries must be an array');
  if (batch.snapshot !== undefined) checkSnapshot(batch.snapshot, 'batch.snapshot');
  if (batch.truncateFrom !== undefined && (!isUint(batch.truncateFrom) || batch.truncateFrom < 1)) {
    refuse('batch.truncateFrom must be an integer >= 1');
  }
  if (batch.compactTo !== undefined && !isUint(batch.compactTo)) refuse('batch.compactTo must be an integer >= 0');
  batch.entries.forEach((entry, i) => {
    checkEntry(entry, `batch.entries[${i}]`);
    const previous = batch.entries[i - 1];
    if (previous && entry.index !== previous.index + 1) refuse(`batch.entries are not contiguous (${previous.index} then ${entry.index})`);
    if (previous && entry.term < previous.term) refuse(`batch.entries[${i}] term ${entry.term} is below the preceding term ${previous.term}`);
  });
  if (batch.hardState !== undefined) checkHardState(batch.hardState, 'batch.hardState');
}

export function checkHardState(h: HardState, where: string): void {
  if (typeof h !== 'object' || h === null || !isUint(h.term) || !isUint(h.commit)) refuse(`${where} needs integer term and commit >= 0`);
  if (h.vote !== null && typeof h.vote !== 'string') refuse(`${where}.vote must be a peer id or null`);
}

export function checkSnapshot(s: Snapshot, where: string): void {
  if (typeof s !== 'object' || s === null || typeof s.meta !== 'object' || s.meta === null) refuse(`${where} is not a snapshot`);
  if (!isUint(s.meta.index) || !isUint(s.meta.term)) refuse(`${where}.meta index/term must be integers >= 0`);
  checkMembership(s.meta.membership, `${where}.meta`);
  if (!(s.data instanceof Uint8Array)) refuse(`${where}.data must be a Uint8Array`);
}

/** What planBatch needs to know about the store, read in the batch's own transaction. */
export interface StoredPosition {
  snapshot: { index: number; term: number } | null;
  last: { index: number; term: number };
  /** Stored currentTerm (0 when none). */
  hardStateTerm: number;
  /** Term of the stored entry at batch.snapshot.meta.index, if any (undefined when not held). */
  entryTermAtSnapshot: number | undefined;
  /** Term of the stored entry at batch.truncateFrom - 1, if any. */
  entryTermBeforeTruncate: number | undefined;
}

export interface BatchPlan {
  /** With a snapshot: keep the entries after it (the log agrees with it at its index, Raft §7). */
  keepTailAfterSnapshot: boolean;
}

function storedTermAt(position: StoredPosition, index: number, entryTerm: number | undefined): number | undefined {
  if (index === 0) return 0;
  if (position.snapshot && position.snapshot.index === index) return position.snapshot.term;
  return entryTerm;
}

/** Replays the batch's effect on the log's bounds; throws InvalidInputError on any violation. */
export function planBatch(position: StoredPosition, batch: PersistBatch): BatchPlan {
  let snapshotIndex = position.snapshot?.index ?? 0;
  let snapshotTerm = position.snapshot?.term ?? 0;
  let { index: last, term: lastTerm } = position.last;
  let keepTailAfterSnapshot = false;
  if (batch.snapshot !== undefined) {
    const { index, term } = batch.snapshot.meta;
    if (index < snapshotIndex) refuse(`batch.snapshot at ${index} is older than the stored snapshot at ${snapshotIndex}`);
    keepTailAfterSnapshot = storedTermAt(position, index, position.entryTermAtSnapshot) === term;
    if (!keepTailAfterSnapshot || index > last) {
      last = index;
      lastTerm = term;
    }
    snapshotIndex = index;
    snapshotTerm = term;
  }
  if (batch.truncateFrom !== undefined) {
    const from = batch.truncateFrom;
    if (from <= snapshotIndex) refuse(`batch.truncateFrom ${from} would delete entries covered by the snapshot at ${snapshotIndex}`);
    if (from <= last) {
      last = from - 1;
      const term = last === snapshotIndex ? snapshotTerm : storedTermAt(position, last, position.entryTermBeforeTruncate);
      if (term === undefined) refuse(`no stored term for index ${last}`);
      lastTerm = term;
    }
  }
  const first = batch.entries[0];
  if (first) {
    if (first.index !== last + 1) refuse(`batch.entries start at ${first.index}, expected ${last + 1}`);
    if (first.term < lastTerm) refuse(`batch.entries[0] term ${first.term} is below the preceding term ${lastTerm}`);
  }
  if (batch.hardState !== undefined && batch.hardState.term < position.hardStateTerm) {
    refuse(`batch.hardState.term ${batch.hardState.term} is below the stored term ${position.hardStateTerm}`);
  }
  if (batch.compactTo !== undefined && batch.compactTo > snapshotIndex) {
    refuse(`batch.compactTo ${batch.compactTo} is not covered by a stored snapshot (snapshot index ${snapshotIndex})`);
  }
  return { keepTailAfterSnapshot };
}
