// The engine's in-memory Raft log: the entries after the latest snapshot, plus the snapshot's
// (index, term) so the consistency check works at the boundary (Raft §5.3, §7).
// Durable work is not done here; RaftNode records every change in its PersistOutbox.
import type { LogEntry } from '../types';

export class RaftLog {
  private entries: LogEntry[];
  private snapIndex: number;
  private snapTerm: number;
  /** Sum of entryBytes over `entries` (the compaction threshold). */
  private byteSize = 0;

  constructor(snapshotIndex: number, snapshotTerm: number, entries: LogEntry[]) {
    this.snapIndex = snapshotIndex;
    this.snapTerm = snapshotTerm;
    this.entries = [];
    // Keep only a contiguous run after the snapshot; anything else in a loaded log is ignored.
    for (const entry of entries) {
      if (entry.index <= snapshotIndex) continue;
      if (entry.index !== this.lastIndex() + 1) break;
      this.entries.push(entry);
      this.byteSize += entryBytes(entry);
    }
  }

  /** Entries held in memory (after the compaction point). */
  get length(): number {
    return this.entries.length;
  }

  /** Payload bytes held in memory. */
  get bytes(): number {
    return this.byteSize;
  }

  get snapshotIndex(): number {
    return this.snapIndex;
  }

  get snapshotTerm(): number {
    return this.snapTerm;
  }

  /** First index held in memory (may be lastIndex() + 1 when the log is empty). */
  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length === 0 ? this.snapTerm : this.entries[this.entries.length - 1].term;
  }

  /** Term of the entry at `index`; undefined when it is beyond the log or compacted away. */
  termAt(index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1].term;
  }

  entryAt(index: number): LogEntry | undefined {
    if (index <= this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1];
  }

  /** True when our entry at `index` has `term` (the AppendEntries consistency check, §5.3). */
  matches(index: number, term: number): boolean {
    return this.termAt(index) === term;
  }

  /** Entries in [from, to] (inclusive), clipped to what is held. */
  slice(from: number, to: number): LogEntry[] {
    const lo = Math.max(from, this.firstIndex());
    const hi = Math.min(to, this.lastIndex());
    if (hi < lo) return [];
    return this.entries.slice(lo - this.snapIndex - 1, hi - this.snapIndex);
  }

  /**
   * Entries starting at `from`, at most `maxEntries` and `maxBytes` of command data, but always at
   * least one entry when any exists (so a single huge command still replicates).
   */
  batch(from: number, maxEntries: number, maxBytes: number): LogEntry[] {
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let index = Math.max(from, this.firstIndex()); index <= this.lastIndex(); index++) {
      const entry = this.entries[index - this.snapIndex - 1];
      const size = entryBytes(entry);
      if (out.length > 0 && (out.length >= maxEntries || bytes + size > maxBytes)) break;
      out.push(entry);
      bytes += size;
    }
    return out;
  }

  /** Append entries that directly follow the last one. Throws on a gap: that is an engine bug. */
  append(entries: LogEntry[]): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex() + 1) {
        throw new Error(`raft log: appending index ${entry.index} after ${this.lastIndex()}`);
      }
      this.entries.push(entry);
      this.byteSize += entryBytes(entry);
    }
  }

  /** Drop every entry with index >= from. */
  truncateFrom(from: number): void {
    if (from > this.lastIndex()) return;
    if (from <= this.snapIndex) throw new Error(`raft log: truncating into the snapshot (${from} <= ${this.snapIndex})`);
    const keep = from - this.snapIndex - 1;
    for (let i = keep; i < this.entries.length; i++) this.byteSize -= entryBytes(this.entries[i]);
    this.entries.length = keep;
  }

  /** Drop entries <= index (covered by a snapshot, §7); index must be held or be the compaction point. */
  compact(index: number): void {
    if (index <= this.snapIndex) return;
    const term = this.termAt(index);
    if (term === undefined) throw new Error(`raft log: compacting to ${index} beyond the last index ${this.lastIndex()}`);
    const drop = index - this.snapIndex;
    for (let i = 0; i < drop; i++) this.byteSize -= entryBytes(this.entries[i]);
    this.entries = this.entries.slice(drop);
    this.snapIndex = index;
    this.snapTerm = term;
  }

  /** Discard everything: the log now starts right after an installed snapshot (§7). */
  reset(snapshotIndex: number, snapshotTerm: number): void {
    this.entries = [];
    this.byteSize = 0;
    this.snapIndex = snapshotIndex;
    this.snapTerm = snapshotTerm;
  }

  /**
   * First index of the run of entries with `term` that contains `index`: the follower's conflict
   * hint, so the leader can skip a whole term per round trip (§5.3, "fast back-off").
   */
  firstIndexOfTermAt(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first - 1 > this.snapIndex && this.termAt(first - 1) === term) first--;
    return first;
  }

  /** Last index holding `term`, or 0 when no entry has it (leader side of fast back-off). */
  lastIndexOfTerm(term: number): number {
    for (let index = this.lastIndex(); index > this.snapIndex; index--) {
      const t = this.termAt(index)!;
      if (t === term) return index;
      if (t < term) return 0;
    }
    return this.snapTerm === term ? this.snapIndex : 0;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Whether this log is at least as up to date as a log ending at (lastIndex, lastTerm) (§5.4.1 order). */
  atLeastAsUpToDateAs(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return ourTerm > lastTerm || (ourTerm === lastTerm && this.lastIndex() >= lastIndex);
  }

  /** Every entry held, for rebuilding indexes (client tags, membership). */
  all(): readonly LogEntry[] {
    return this.entries;
  }
}

/** Size of an entry for batching: the command payload; no-op and config entries count as small. */
export function entryBytes(entry: LogEntry): number {
  return entry.kind === 'command' ? entry.data.length : 16;
}
