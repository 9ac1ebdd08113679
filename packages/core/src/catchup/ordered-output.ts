// The session's output side: fetched chunks (arriving out of order) and the leader's buffered
// entries are joined into one contiguous run from the cursor, handed out strictly in log order.
import type { LogEntry, Snapshot } from '../types';
import type { CatchUpOutput } from './api';
import { EntryRuns, runEnd } from './entry-runs';
import { LeaderBuffer } from './leader-buffer';

export class OrderedOutput {
  /** Fetched chunks not yet output, keyed by start. Only non-empty runs are ever stored. */
  readonly fetched = new EntryRuns();
  readonly leaderBuffer = new LeaderBuffer();
  private pending: CatchUpOutput[] = [];

  /** @param cursor next index to output: everything below it was handed out or is covered locally. */
  constructor(public cursor: number) {}

  /** Stores a fetched chunk (the part at or after the cursor: a snapshot may have jumped past it). */
  addFetched(entries: LogEntry[]): void {
    const useful = entries[0].index >= this.cursor ? entries : entries.filter((e) => e.index >= this.cursor);
    if (useful.length > 0) this.fetched.insertDisjoint(useful);
  }

  addFromLeader(entries: LogEntry[]): void {
    this.leaderBuffer.add(entries, this.cursor);
  }

  /** A fetched snapshot goes out first; the log continues after its index. */
  pushSnapshot(snapshot: Snapshot): void {
    this.pending.push({ kind: 'snapshot', snapshot });
    this.cursor = Math.max(this.cursor, snapshot.meta.index + 1);
  }

  /**
   * Hands out everything contiguous from the cursor: the leader's entries where it sent them (it
   * is authoritative), fetched chunks elsewhere.
   */
  drain(): void {
    const batch: LogEntry[] = [];
    const buffer = this.leaderBuffer.runs;
    for (;;) {
      const own = buffer.runContaining(this.cursor);
      const run = own ?? this.fetched.runContaining(this.cursor);
      if (!run) break;
      let end = runEnd(run);
      if (!own) {
        const leaderNext = buffer.nextClaimStart(this.cursor);
        if (leaderNext !== null) end = Math.min(end, leaderNext - 1);
      }
      for (let i = this.cursor - run.start; i <= end - run.start; i++) batch.push(run.entries[i]);
      this.cursor = end + 1;
    }
    this.fetched.dropBelow(this.cursor);
    buffer.dropBelow(this.cursor);
    if (batch.length === 0) return;
    const last = this.pending[this.pending.length - 1];
    if (last && last.kind === 'entries') for (const e of batch) last.entries.push(e);
    else this.pending.push({ kind: 'entries', entries: batch });
  }

  take(): CatchUpOutput[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
