// Entries the leader sent while this peer was catching up (AppendEntries it could not append yet,
// because the gap before them is still being fetched). Held until the gap is filled.
import type { LogEntry } from '../types';
import { EntryRuns } from './entry-runs';

export class LeaderBuffer {
  readonly runs = new EntryRuns();

  /**
   * Adds entries (any order, possibly overlapping what is held). The leader is authoritative:
   * an entry replaces the held one of the same index, and when their terms differ every held
   * entry after it is dropped too, since it followed a log the leader has since overwritten
   * (Raft §5.3: "delete the existing entry and all that follow it").
   * Entries below `floor` (already output) are skipped.
   */
  add(entries: readonly LogEntry[], floor: number): void {
    for (const run of contiguousRuns(entries, floor)) {
      for (const entry of run) {
        const held = this.runs.entryAt(entry.index);
        if (held && held.term !== entry.term) {
          this.runs.truncateFrom(entry.index);
          break;
        }
      }
      this.runs.overwrite(run);
    }
  }
}

/** Splits entries into runs of consecutive indices, dropping those below `floor` or malformed. */
function contiguousRuns(entries: readonly LogEntry[], floor: number): LogEntry[][] {
  const runs: LogEntry[][] = [];
  let current: LogEntry[] = [];
  for (const entry of entries) {
    if (!entry || !Number.isSafeInteger(entry.index) || entry.index < floor) continue;
    const prev = current[current.length - 1];
    if (prev && entry.index !== prev.index + 1) {
      runs.push(current);
      current = [];
    }
    current.push(entry);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
