// Entries this peer holds but never acknowledged: those a stale AppendEntries brought after a newer
// term arrived (replication-messages.ts keepEarlierLeaderEntries). A departure notice's final
// position must cover every entry the peer ever counted for (tab-lifecycle.md, "Departed voters and
// quorums"); it need not cover more. These entries counted for nothing, so the position leaves them
// out: a position past them would ask the survivors to hold entries that may live nowhere else
// (their leader crashed), and the departure would stall the group like a crash.
//
// Only the start of the suffix is tracked: the entries are kept at the log's end, and an
// acknowledgement or a cut moves that start (or ends the suffix). Kept in memory only: after a
// restart the whole log counts, which asks more of the survivors, never less (safe).

export class UnacknowledgedEntries {
  /** The first index of the unacknowledged suffix, or null when every entry may have been counted. */
  private from: number | null = null;

  /** Entries from `first` on were appended without an acknowledgement. */
  kept(first: number): void {
    if (this.from === null) this.from = first;
  }

  /** A success answer acknowledged the log up to `matchIndex`: those entries count from now on. */
  acknowledged(matchIndex: number, lastIndex: number): void {
    if (this.from === null || matchIndex < this.from) return;
    this.from = matchIndex < lastIndex ? matchIndex + 1 : null;
  }

  /** Entries >= `from` were cut: a suffix starting there or later is gone. */
  truncated(from: number): void {
    if (this.from !== null && from <= this.from) this.from = null;
  }

  /** The log was replaced, or this peer leads (a leader's position is its own: departure-handler.ts plan()). */
  clear(): void {
    this.from = null;
  }

  /** The highest index this peer may have acknowledged, for a log that ends at `lastIndex`. */
  acknowledgedEnd(lastIndex: number): number {
    return this.from === null ? lastIndex : Math.min(lastIndex, this.from - 1);
  }
}
