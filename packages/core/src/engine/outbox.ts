// Accumulates everything the next Ready hands out, and tracks which log prefix is durable.
// Durable work is merged so one PersistBatch reproduces the in-memory log: a truncation drops
// not-yet-persisted entries at or after it, and becomes a storage truncation only for older ones.
import type { Departure, Envelope, Message } from '../messages';
import type { PersistBatch } from '../storage';
import type { LogEntry, PeerId, Snapshot } from '../types';
import type { ProposalResult, ReadResult } from './api';

export class Outbox {
  messages: Envelope[] = [];
  proposals: ProposalResult[] = [];
  reads: ReadResult[] = [];
  snapshotToInstall: Snapshot | null = null;
  /** Ask the host for a state machine snapshot covering at least this index (compaction). */
  snapshotRequest: { upTo: number } | null = null;
  /** Departure notices of other peers seen for the first time (each names its peer). */
  departures: Departure[] = [];
  private truncate: number | undefined;
  private entries: LogEntry[] = [];
  private snapshot: Snapshot | undefined;

  send(to: PeerId, message: Message): void {
    this.messages.push({ to, message });
  }

  recordAppend(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.entries.push(entry);
  }

  recordTruncate(from: number): void {
    const firstPending = this.entries.length > 0 ? this.entries[0].index : Infinity;
    if (from >= firstPending) {
      // Only unpersisted entries go: storage never saw them.
      this.entries.length = from - firstPending;
      return;
    }
    this.entries = [];
    this.truncate = this.truncate === undefined ? from : Math.min(this.truncate, from);
  }

  /**
   * Store a snapshot. Storage drops the entries it covers (§7). `install`: the log is replaced by it
   * (a fetched snapshot), so pending entries go and stored entries after it are truncated too; the
   * batch is atomic, so a crash leaves either the old log or the snapshot.
   */
  recordSnapshot(snapshot: Snapshot, install: boolean): void {
    this.snapshot = snapshot;
    // Not-yet-persisted entries it covers must not be appended after it (storage would see a gap).
    if (this.entries.length > 0 && this.entries[0].index <= snapshot.meta.index) this.entries = this.entries.filter((e) => e.index > snapshot.meta.index);
    if (!install) return;
    this.entries = [];
    this.truncate = snapshot.meta.index + 1;
  }

  hasPersistWork(): boolean {
    return this.entries.length > 0 || this.truncate !== undefined || this.snapshot !== undefined;
  }

  hasOutput(): boolean {
    return (
      this.messages.length > 0 ||
      this.proposals.length > 0 ||
      this.reads.length > 0 ||
      this.snapshotToInstall !== null ||
      this.snapshotRequest !== null ||
      this.departures.length > 0
    );
  }

  /** The merged persist work, cleared. */
  takePersist(): PersistBatch {
    const batch: PersistBatch = { entries: this.entries };
    if (this.snapshot !== undefined) batch.snapshot = this.snapshot;
    if (this.truncate !== undefined) batch.truncateFrom = this.truncate;
    this.entries = [];
    this.truncate = undefined;
    this.snapshot = undefined;
    return batch;
  }

  takeOutput(): {
    messages: Envelope[];
    proposals: ProposalResult[];
    reads: ReadResult[];
    snapshotToInstall: Snapshot | null;
    snapshotRequest: { upTo: number } | null;
    departures: Departure[];
  } {
    const out = {
      messages: this.messages,
      proposals: this.proposals,
      reads: this.reads,
      snapshotToInstall: this.snapshotToInstall,
      snapshotRequest: this.snapshotRequest,
      departures: this.departures,
    };
    this.departures = [];
    this.messages = [];
    this.proposals = [];
    this.reads = [];
    this.snapshotToInstall = null;
    this.snapshotRequest = null;
    return out;
  }
}

/**
 * Which log prefix is durable. Each Ready's token covers the log as it was when the Ready was
 * taken; a later truncation lowers what outstanding and past tokens vouch for.
 */
export class DurabilityTracker {
  private durable: number;
  private outstanding = new Map<number, number>();

  constructor(durableIndex: number) {
    this.durable = durableIndex;
  }

  persistedIndex(): number {
    return this.durable;
  }

  issued(token: number, lastIndex: number): void {
    this.outstanding.set(token, lastIndex);
  }

  onTruncate(from: number): void {
    this.durable = Math.min(this.durable, from - 1);
    for (const [token, last] of this.outstanding) this.outstanding.set(token, Math.min(last, from - 1));
  }

  /** Storage finished `token` (and, persisting in order, every earlier one). True if the durable index grew. */
  done(token: number): boolean {
    const before = this.durable;
    for (const [t, last] of this.outstanding) {
      if (t > token) continue;
      this.durable = Math.max(this.durable, last);
      this.outstanding.delete(t);
    }
    return this.durable > before;
  }
}
