// Entries the leader sent while this peer was catching up (AppendEntries it could not append yet,
// because the gap before them is still being fetched). Held until the gap is filled.
//
// Each held entry remembers the term the leader said precedes it (AppendEntries' prevLogTerm for
// the first entry of a message, the previous entry's term for the others), so that joining the
// buffer onto fetched entries or an installed snapshot can run the same consistency check as
// AppendEntries (Raft §5.3). A deposed leader's entries fail it and are dropped.
import type { LogEntry } from '../types';
import { EntryRuns } from './entry-runs';

export class LeaderBuffer {
  readonly runs = new EntryRuns();
  /** index -> the term of entry index-1 in the leader's log, for every held entry. */
  private readonly prevTerms = new Map<number, number>();

  /**
   * Adds the entries of one AppendEntries: contiguous, the first one following an entry of term
   * `prevTerm`. The leader is authoritative: an entry replaces the held one of the same index, and
   * when their terms differ every held entry after it is dropped too, since it followed a log the
   * leader has since overwritten (Raft §5.3: "delete the existing entry and all that follow it").
   * Entries below `floor` (already output) are skipped.
   */
  add(entries: readonly LogEntry[], prevTerm: number, floor: number): void {
    const run = contiguousRun(entries);
    if (run.length === 0) return;
    for (const entry of run) {
      const held = this.runs.entryAt(entry.index);
      if (held && held.term !== entry.term) {
        this.truncateFrom(entry.index);
        break;
      }
    }
    let before = prevTerm;
    const kept: LogEntry[] = [];
    for (const entry of run) {
      if (entry.index >= floor) {
        this.prevTerms.set(entry.index, before);
        kept.push(entry);
      }
      before = entry.term;
    }
    this.runs.overwrite(kept);
  }

  /** The term the leader says the entry before `index` has, or undefined when `index` is not held. */
  prevTermOf(index: number): number | undefined {
    return this.prevTerms.get(index);
  }

  /** Drops every held entry at or after `index`; returns how many were dropped. */
  truncateFrom(index: number): number {
    this.runs.truncateFrom(index);
    let dropped = 0;
    for (const i of this.prevTerms.keys()) {
      if (i >= index) {
        this.prevTerms.delete(i);
        dropped++;
      }
    }
    return dropped;
  }

  /** Drops every held entry below `index` (already output). */
  dropBelow(index: number): void {
    this.runs.dropBelow(index);
    for (const i of this.prevTerms.keys()) if (i < index) this.prevTerms.delete(i);
  }
}

/**
 * The entries as one contiguous run, or [] when they are not (the engine only buffers well-formed
 * AppendEntries; anything else here is a caller bug, and dropping it is the safe answer).
 */
function contiguousRun(entries: readonly LogEntry[]): LogEntry[] {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry || !Number.isSafeInteger(entry.index) || entry.index < 1) return [];
    if (i > 0 && entry.index !== entries[i - 1].index + 1) return [];
  }
  return entries.slice();
}
