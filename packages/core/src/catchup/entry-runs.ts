// Sorted, non-overlapping runs of contiguous log entries, keyed by their first index.
// Used twice by a catch-up session: for fetched chunks that arrived out of order (drained in log
// order once the chunk before them is in) and for entries the leader sent meanwhile.
import type { LogEntry } from '../types';

export interface EntryRun {
  start: number;
  /** Contiguous: entries[i].index === start + i. Never empty. */
  entries: LogEntry[];
}

export const runEnd = (run: EntryRun): number => run.start + run.entries.length - 1;

export class EntryRuns {
  private runs: EntryRun[] = [];

  get size(): number {
    return this.runs.length;
  }

  isEmpty(): boolean {
    return this.runs.length === 0;
  }

  /** Position of the last run starting at or before `index`, or -1. */
  private floor(index: number): number {
    let lo = 0;
    let hi = this.runs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.runs[mid].start <= index) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  runContaining(index: number): EntryRun | null {
    const at = this.floor(index);
    if (at < 0) return null;
    const run = this.runs[at];
    return runEnd(run) >= index ? run : null;
  }

  has(index: number): boolean {
    return this.runContaining(index) !== null;
  }

  entryAt(index: number): LogEntry | null {
    const run = this.runContaining(index);
    return run ? run.entries[index - run.start] : null;
  }

  /** End of the run containing `index`, or null (the chunk planner's "claimed range" query). */
  claimEnd(index: number): number | null {
    const run = this.runContaining(index);
    return run ? runEnd(run) : null;
  }

  /** Start of the first run beginning after `index`, or null. */
  nextClaimStart(index: number): number | null {
    const next = this.floor(index) + 1;
    return next < this.runs.length ? this.runs[next].start : null;
  }

  /**
   * Inserts a run that overlaps nothing already held (fetched chunks never overlap: the planner
   * assigns disjoint ranges and a range is re-assigned only after its request was dropped).
   * Returns false, inserting nothing, when it would overlap.
   */
  insertDisjoint(entries: LogEntry[]): boolean {
    if (entries.length === 0) return true;
    const start = entries[0].index;
    const end = start + entries.length - 1;
    const at = this.floor(end);
    if (at >= 0 && runEnd(this.runs[at]) >= start) return false;
    this.runs.splice(at + 1, 0, { start, entries });
    return true;
  }

  /**
   * Inserts the parts of a contiguous run that nothing held covers yet, keeping what is held where
   * they overlap (fetched chunks overlap only after a late answer filled part of a range asked
   * again meanwhile; committed entries are the same from every peer, §5.4). Returns how many
   * entries were inserted.
   */
  insertUnheld(entries: LogEntry[]): number {
    if (entries.length === 0) return 0;
    if (this.insertDisjoint(entries)) return entries.length;
    const start = entries[0].index;
    const end = start + entries.length - 1;
    let inserted = 0;
    let p = start;
    while (p <= end) {
      const held = this.claimEnd(p);
      if (held !== null) {
        p = held + 1;
        continue;
      }
      const next = this.nextClaimStart(p);
      const gapEnd = next === null ? end : Math.min(end, next - 1);
      this.insertDisjoint(entries.slice(p - start, gapEnd - start + 1));
      inserted += gapEnd - p + 1;
      p = gapEnd + 1;
    }
    return inserted;
  }

  /**
   * Writes a contiguous run over whatever is held (newer wins on overlap) and merges it with
   * adjacent runs. Appending right after the last run is the common case and costs O(new).
   */
  overwrite(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    const start = entries[0].index;
    const end = start + entries.length - 1;
    const last = this.runs[this.runs.length - 1];
    if (last && runEnd(last) === start - 1) {
      for (const entry of entries) last.entries.push(entry);
      return;
    }
    const kept: EntryRun[] = [];
    let insertAt = -1;
    for (const run of this.runs) {
      const rEnd = runEnd(run);
      if (rEnd < start || run.start > end) {
        if (run.start > end && insertAt < 0) insertAt = kept.length;
        kept.push(run);
        continue;
      }
      // Overlap: keep the parts outside [start, end] (the right part is copied before the left is cut).
      const right = rEnd > end ? { start: end + 1, entries: run.entries.slice(end + 1 - run.start) } : null;
      if (run.start < start) {
        run.entries.length = start - run.start;
        kept.push(run);
      }
      if (right) {
        if (insertAt < 0) insertAt = kept.length;
        kept.push(right);
      }
    }
    if (insertAt < 0) insertAt = kept.length;
    kept.splice(insertAt, 0, { start, entries: entries.slice() });
    this.runs = mergeAdjacent(kept);
  }

  /** Drops every entry at or after `index`. */
  truncateFrom(index: number): void {
    const kept: EntryRun[] = [];
    for (const run of this.runs) {
      if (run.start >= index) break;
      if (runEnd(run) >= index) run.entries.length = index - run.start;
      kept.push(run);
    }
    this.runs = kept;
  }

  /** Drops every entry below `index` (already output). */
  dropBelow(index: number): void {
    let cut = 0;
    while (cut < this.runs.length && runEnd(this.runs[cut]) < index) cut++;
    if (cut > 0) this.runs.splice(0, cut);
    const first = this.runs[0];
    if (first && first.start < index) {
      this.runs[0] = { start: index, entries: first.entries.slice(index - first.start) };
    }
  }

  clear(): void {
    this.runs = [];
  }
}

function mergeAdjacent(runs: EntryRun[]): EntryRun[] {
  const merged: EntryRun[] = [];
  for (const run of runs) {
    const prev = merged[merged.length - 1];
    if (prev && runEnd(prev) + 1 === run.start) {
      for (const entry of run.entries) prev.entries.push(entry);
    } else {
      merged.push(run);
    }
  }
  return merged;
}
