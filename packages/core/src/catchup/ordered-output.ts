// The session's output side: fetched chunks (arriving out of order) and the leader's buffered
// entries are joined into one contiguous run from the cursor, handed out strictly in log order.
//
// Fetched entries and snapshots are committed on the peer that served them, hence the same on
// every peer (Raft §5.4). The leader's buffered entries are only as good as its log: a deposed
// leader that has not heard of a newer term may have sent entries that follow an entry the group
// overwrote. So a buffered entry joins the output only where its predecessor term matches the
// term of the entry output just before it, the AppendEntries consistency check (§5.3), and only
// where it does not contradict a committed entry fetched for the same index; otherwise the buffer
// is dropped from there on (the leader sends again once the session is over).
import type { LogEntry, Snapshot } from '../types';
import type { CatchUpOutput } from './api';
import { EntryRuns, runEnd } from './entry-runs';
import { LeaderBuffer } from './leader-buffer';

export class OrderedOutput {
  /** Fetched chunks not yet output, keyed by start. Only non-empty runs are ever stored. */
  readonly fetched = new EntryRuns();
  readonly leaderBuffer = new LeaderBuffer();
  /** Buffered leader entries dropped because they did not chain onto the output. */
  leaderEntriesDropped = 0;
  private pending: CatchUpOutput[] = [];

  /**
   * @param cursor next index to output: everything below it was handed out or is covered locally.
   * @param prevTerm term of the entry at cursor - 1 (of the local log or snapshot; 0 before index 1).
   */
  constructor(
    public cursor: number,
    private prevTerm: number,
  ) {}

  /**
   * Stores a fetched chunk: the part at or after the cursor (a snapshot may have jumped past it) that
   * no other fetched chunk holds yet. Returns how many entries were stored.
   */
  addFetched(entries: LogEntry[]): number {
    if (entries.length === 0) return 0;
    const useful = entries[0].index >= this.cursor ? entries : entries.filter((e) => e.index >= this.cursor);
    return this.fetched.insertUnheld(useful);
  }

  addFromLeader(entries: LogEntry[], prevTerm: number): void {
    this.leaderBuffer.add(entries, prevTerm, this.cursor);
  }

  /** A fetched snapshot goes out first; the log continues after its index. */
  pushSnapshot(snapshot: Snapshot): void {
    this.pending.push({ kind: 'snapshot', snapshot });
    if (snapshot.meta.index + 1 > this.cursor) {
      this.cursor = snapshot.meta.index + 1;
      this.prevTerm = snapshot.meta.term;
    }
  }

  /**
   * Hands out everything contiguous from the cursor: the leader's entries where it sent them and
   * they chain onto what came before, fetched chunks elsewhere.
   */
  drain(): void {
    const batch: LogEntry[] = [];
    const buffer = this.leaderBuffer.runs;
    for (;;) {
      this.dropUnchainedLeaderEntries();
      const own = buffer.runContaining(this.cursor);
      const run = own ?? this.fetched.runContaining(this.cursor);
      if (!run) break;
      let end = runEnd(run);
      if (!own) {
        const leaderNext = buffer.nextClaimStart(this.cursor);
        if (leaderNext !== null) end = Math.min(end, leaderNext - 1);
      } else {
        // Leader entries go out one at a time while fetched entries overlap them, so that each is
        // compared with the committed entry of its index.
        const fetchedEnd = this.fetched.claimEnd(this.cursor);
        if (fetchedEnd !== null) end = Math.min(end, this.cursor);
      }
      for (let i = this.cursor - run.start; i <= end - run.start; i++) batch.push(run.entries[i]);
      this.prevTerm = run.entries[end - run.start].term;
      this.cursor = end + 1;
    }
    this.fetched.dropBelow(this.cursor);
    this.leaderBuffer.dropBelow(this.cursor);
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

  /**
   * The consistency check at the cursor: a buffered entry there must follow an entry of the term
   * output last, and agree with a committed entry fetched for the same index. If not, the leader
   * that sent it is behind the group (or its message was stale): drop the buffer from here.
   */
  private dropUnchainedLeaderEntries(): void {
    const held = this.leaderBuffer.runs.entryAt(this.cursor);
    if (!held) return;
    const committed = this.fetched.entryAt(this.cursor);
    if (this.leaderBuffer.prevTermOf(this.cursor) === this.prevTerm && (!committed || committed.term === held.term)) return;
    this.leaderEntriesDropped += this.leaderBuffer.truncateFrom(this.cursor);
  }
}
