// Snapshots and log compaction (Raft §7). The host's state machine produces snapshots
// when asked (Ready.snapshotRequest); the engine keeps the newest one to serve catching-up peers,
// stores it (PersistBatch.snapshot drops the entries it covers on disk) and compacts its in-memory
// log once that log outgrows compactAfterEntries / compactAfterBytes. A leader keeps the entries a
// live follower close behind still needs, so it gets them by plain replication instead of having
// to fetch a snapshot; anyone further behind is served the snapshot by catch-up.
import type { Snapshot } from '../types';
import type { LeaderState } from './leader';
import type { EngineCore } from './node-context';

/** What snapshots and compaction read of RaftNode: the log, its configurations, the commit index, the leader's followers. */
export interface SnapshotView extends Pick<EngineCore, 'config' | 'log' | 'membership' | 'commit' | 'now'> {
  /** Leader-only state while this peer leads (its followers' progress holds compaction back), else null. */
  readonly leader: LeaderState | null;
}

export class SnapshotKeeper {
  /** Snapshots accepted from the host, and ignored ones (stale, out of range). */
  taken = 0;
  ignored = 0;
  private outstanding: number | null = null;

  constructor(public latest: Snapshot | null) {}

  get latestIndex(): number {
    return this.latest?.meta.index ?? 0;
  }

  private oversized(view: SnapshotView): boolean {
    return view.log.length > view.config.compactAfterEntries || view.log.bytes > view.config.compactAfterBytes;
  }

  /**
   * A request for the host when the log is over a threshold and at least half of it is applied
   * beyond the latest snapshot (so a log held back for followers does not cause snapshot storms).
   */
  request(view: SnapshotView, applied: number): { upTo: number } | null {
    if (!this.oversized(view)) return null;
    const base = Math.max(this.latestIndex, view.log.snapshotIndex);
    if (applied <= base || applied - base < Math.ceil(view.log.length / 2)) return null;
    if (this.outstanding !== null && applied < this.outstanding + view.config.compactAfterEntries) return null;
    this.outstanding = applied;
    return { upTo: applied };
  }

  /**
   * Accept a snapshot from the host. Its term and membership are taken from the log (the host only
   * knows the index it applied). Returns the completed snapshot, or null when it is ignored.
   */
  accept(view: SnapshotView, snapshot: Snapshot, applied: number): Snapshot | null {
    const index = snapshot.meta.index;
    const term = view.log.termAt(index);
    if (!Number.isSafeInteger(index) || index <= this.latestIndex || index > applied || index > view.commit || term === undefined) {
      this.ignored++;
      return null;
    }
    const complete: Snapshot = { meta: { index, term, membership: view.membership.at(index) }, data: snapshot.data };
    this.latest = complete;
    this.outstanding = null;
    this.taken++;
    return complete;
  }

  /** An installed (fetched) snapshot becomes the one served. */
  installed(snapshot: Snapshot): void {
    if (snapshot.meta.index > this.latestIndex) this.latest = snapshot;
  }

  /**
   * How far the in-memory log may be compacted now, or null for "not now". Never past the latest
   * snapshot, and strictly below the commit index, so a leader's snapshot-anchored probe always has
   * prevLogIndex < leaderCommit (the follower's cue to catch up, see leader.ts sendAppend).
   */
  compactionPoint(view: SnapshotView): number | null {
    if (!this.latest || !this.oversized(view)) return null;
    let point = Math.min(this.latest.meta.index, view.commit - 1);
    if (view.leader) {
      for (const pr of view.leader.progress.values()) {
        const live = view.now - pr.lastHeard < view.config.electionTimeoutMs && view.now >= pr.catchingUpUntil;
        if (live && point - pr.match <= view.config.catchUpThreshold) point = Math.min(point, pr.match);
      }
    }
    return point > view.log.snapshotIndex ? point : null;
  }

  /** Compact the in-memory log (and the membership history) to the compaction point, if any. */
  compact(view: SnapshotView): void {
    const point = this.compactionPoint(view);
    if (point === null) return;
    view.log.compact(point);
    view.membership.onCompact(point);
  }
}
