// A peer's simulated disk: the PersistedState that survives a crash. The simulator applies a
// Ready's PersistBatch here only when its simulated fsync completes; anything not yet applied is
// lost on a crash. A batch is applied atomically: it is worked out on copies and swapped in only
// when the whole of it is valid, so a crash (or a contract error) leaves all or nothing of it.
// Everything is deep-copied in and out, so an engine can never alias the disk.
import { handedOver, keptWithinTerm, logConfiguration, type HandOverLimits, type HardState, type LogConfiguration, type LogEntry, type Membership, type PersistBatch, type PersistedState, type Snapshot } from '@meshraft/core';

export function cloneEntry(entry: LogEntry): LogEntry {
  switch (entry.kind) {
    case 'command':
      return entry.client
        ? { kind: 'command', index: entry.index, term: entry.term, data: entry.data.slice(), client: { ...entry.client } }
        : { kind: 'command', index: entry.index, term: entry.term, data: entry.data.slice() };
    case 'config':
      return { kind: 'config', index: entry.index, term: entry.term, membership: { voters: [...entry.membership.voters], learners: [...entry.membership.learners] } };
    case 'noop':
      return { kind: 'noop', index: entry.index, term: entry.term };
  }
}

export function cloneSnapshot(s: Snapshot): Snapshot {
  return { meta: { ...s.meta, membership: { voters: [...s.meta.membership.voters], learners: [...s.meta.membership.learners] } }, data: s.data.slice() };
}

/** Thrown when a batch breaks the Storage contract (gap, wrong order): the simulator reports it. */
export class StorageContractError extends Error {}

interface DiskImage {
  hard: HardState;
  snap: Snapshot | null;
  /** Entries after the snapshot, contiguous; log[0].index === firstIndex. */
  log: LogEntry[];
  firstIndex: number;
}

export class DurableStore {
  private image: DiskImage = { hard: { term: 0, vote: null, commit: 0 }, snap: null, log: [], firstIndex: 1 };

  get hardState(): HardState {
    return this.image.hard;
  }

  /** Index covered by the stored snapshot (0 without one). */
  get snapshotIndex(): number {
    return this.image.snap?.meta.index ?? 0;
  }

  get snapshot(): Snapshot | null {
    return this.image.snap;
  }

  lastIndex(): number {
    return this.image.firstIndex + this.image.log.length - 1;
  }

  entryAt(index: number): LogEntry | undefined {
    return this.image.log[index - this.image.firstIndex];
  }

  /** Term at `index`, including the snapshot's boundary entry; undefined when not held. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    const snap = this.image.snap;
    if (snap && index === snap.meta.index) return snap.meta.term;
    return this.entryAt(index)?.term;
  }

  /**
   * Applies a batch in the documented order (snapshot, truncateFrom, entries, hardState, compactTo)
   * as one atomic unit; returns the entries it removed by truncation (not those a snapshot covers).
   */
  apply(batch: PersistBatch): LogEntry[] {
    const next: DiskImage = { ...this.image, log: this.image.log };
    let removed: LogEntry[] = [];
    if (batch.snapshot) {
      const { index, term } = batch.snapshot.meta;
      // §7: keep the entries after the snapshot only when the log agrees with it at its index.
      const agrees = this.termAt(index) === term;
      next.snap = cloneSnapshot(batch.snapshot);
      next.log = agrees ? next.log.filter((e) => e.index > index) : [];
      next.firstIndex = index + 1;
      if (!agrees) removed = this.image.log.filter((e) => e.index > index);
    }
    const last = () => next.firstIndex + next.log.length - 1;
    if (batch.truncateFrom !== undefined && batch.truncateFrom <= last()) {
      const keep = Math.max(0, batch.truncateFrom - next.firstIndex);
      removed = [...removed, ...next.log.slice(keep)];
      next.log = next.log.slice(0, keep);
    }
    if (batch.entries.length > 0) {
      next.log = [...next.log];
      for (const entry of batch.entries) {
        if (entry.index !== last() + 1) throw new StorageContractError(`append of index ${entry.index} after last index ${last()}`);
        next.log.push(cloneEntry(entry));
      }
    }
    if (batch.hardState) next.hard = { ...batch.hardState };
    if (batch.compactTo !== undefined && batch.compactTo >= next.firstIndex) {
      const drop = Math.min(next.log.length, batch.compactTo - next.firstIndex + 1);
      next.log = next.log.slice(drop);
      next.firstIndex += drop;
    }
    this.image = next; // all of the batch, at once
    return removed;
  }

  /** What storage.load() would return after a restart (a deep copy). */
  load(): PersistedState {
    const { hard, snap, log } = this.image;
    return { hardState: { ...hard }, snapshot: snap ? cloneSnapshot(snap) : null, entries: log.map(cloneEntry) };
  }

  /**
   * A new identity takes over this disk (a tab starting from a departed tab's slot), as
   * IdbStorage.handOver does: the log and the term stay; the vote was the old identity's and goes.
   * `maxCommit`: the departed identity's notice promised nothing past it, so the commit index is
   * lowered to it (never below the snapshot); the departed tab's Worker may have stored a commit
   * index past the notice its page sent (Tabs.close). `maxTerm`: the notice's term; entries of a
   * later term are dropped (never the snapshot). The Worker made or took them after the page sent
   * the notice (SimPeer.depart), so no other peer learned of them from this one, and a successor
   * judging by the notice may have written other entries at the same index and term. The rule is
   * core's handedOver, the one logConfiguration reads a departed slot by.
   */
  handOver(term = this.image.hard.term, maxCommit = Number.POSITIVE_INFINITY, maxTerm = Number.POSITIVE_INFINITY): void {
    const { hard } = this.image;
    const { entries, commit } = handedOver(this.image.log, this.snapshotIndex, this.image.hard.commit, { maxCommit, maxTerm });
    this.image = { ...this.image, log: [...entries], hard: { ...hard, vote: null, commit, term: Math.max(term, hard.term) } };
  }

  /**
   * Where the log ends once entries of a term later than `term` are left out (the snapshot, or 0/0,
   * when nothing of `term` or lower is stored past it): the position handOver(.., .., term) leaves.
   */
  lastWithinTerm(term: number): { index: number; term: number } {
    const { log } = this.image;
    const keep = keptWithinTerm(log, term);
    if (keep > 0) return { index: log[keep - 1].index, term: log[keep - 1].term };
    return { index: this.snapshotIndex, term: this.image.snap?.meta.term ?? 0 };
  }

  /**
   * The same identity restarts to re-found its group (lifecycle refoundingTerm): its term is raised
   * to `term` when that is higher (a new term, so no vote yet); otherwise term and vote stay.
   */
  raiseTerm(term: number): void {
    if (term > this.image.hard.term) this.image = { ...this.image, hard: { ...this.image.hard, term, vote: null } };
  }

  /**
   * The log's configurations as a starting tab reads them (lifecycle logConfiguration). With
   * `handOver` (the limits a tab taking a departed slot over applies first, as the runtime's claim
   * does before it decides): as read once handOver(.., maxCommit, maxTerm) has run.
   */
  logConfiguration(handOver?: HandOverLimits): LogConfiguration {
    return logConfiguration(this.image.log, this.image.snap?.meta ?? null, this.image.hard.commit, handOver);
  }

  /** The latest configuration in the log, else the snapshot's, else null (an empty disk). */
  latestMembership(): Membership | null {
    for (let i = this.image.log.length - 1; i >= 0; i--) {
      const e = this.image.log[i];
      if (e.kind === 'config') return { voters: [...e.membership.voters], learners: [...e.membership.learners] };
    }
    const snap = this.image.snap;
    return snap ? { voters: [...snap.meta.membership.voters], learners: [...snap.meta.membership.learners] } : null;
  }

  /** Term of the last entry (or of the snapshot when the log after it is empty). */
  lastTerm(): number {
    return this.termAt(this.lastIndex()) ?? 0;
  }

  /** Committed entries after the snapshot, which a restarted peer replays into its state machine. */
  committedEntries(): LogEntry[] {
    const upTo = Math.min(this.image.hard.commit, this.lastIndex());
    return this.image.log.filter((e) => e.index <= upTo);
  }
}

export function isEmptyBatch(batch: PersistBatch): boolean {
  return batch.entries.length === 0 && !batch.hardState && !batch.snapshot && batch.truncateFrom === undefined && batch.compactTo === undefined;
}
