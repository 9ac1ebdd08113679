// Checks of a whole PersistedState handed to MemoryStorage.from (e.g. a crashed peer's disk in the
// simulator). Per-batch checks are shared with every backend in ../storage-checks.ts.
import type { PersistedState } from '../storage';
import type { LogEntry } from '../types';
import { checkEntry, checkHardState, checkSnapshot, refuseBatch } from '../storage-checks';

export { InvalidBatchError } from '../storage-checks';

/**
 * `entries` must continue the log: first index `nextIndex`, contiguous, terms never below `minTerm`
 * and non-decreasing (a Raft log's terms only grow, §5.3).
 */
function checkRun(entries: readonly LogEntry[], nextIndex: number, minTerm: number, what: string): void {
  let expected = nextIndex;
  let term = minTerm;
  entries.forEach((entry, i) => {
    checkEntry(entry, `${what}[${i}]`);
    if (entry.index !== expected) refuseBatch(`${what}: non-contiguous entries, expected index ${expected}, got ${entry.index}`);
    if (entry.term < term) refuseBatch(`${what}: entry ${entry.index} has term ${entry.term}, below the preceding term ${term}`);
    term = entry.term;
    expected++;
  });
}

/** A whole state, as accepted by MemoryStorage.from: entries must directly follow the snapshot. */
export function checkPersistedState(state: PersistedState): void {
  checkHardState(state.hardState, 'hardState');
  if (state.snapshot !== null) checkSnapshot(state.snapshot, 'snapshot');
  if (!Array.isArray(state.entries)) refuseBatch('entries must be an array');
  const snapshotIndex = state.snapshot?.meta.index ?? 0;
  checkRun(state.entries, snapshotIndex + 1, state.snapshot?.meta.term ?? 0, 'entries');
}
