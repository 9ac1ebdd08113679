// An engine's starting state, rebuilt from what its storage kept (hard state, snapshot, log): the
// log above the snapshot, the configuration in force (the latest one in the log, thesis §4.1), and
// whether this start is a bootstrap, a restart from the peer's own log, or a re-founding.
import type { RaftNodeOptions } from './api';
import { MembershipTracker } from './membership';
import { RaftLog } from './raft-log';
import { SnapshotKeeper } from './snapshots';

export interface RestoredState {
  readonly snapshots: SnapshotKeeper;
  readonly log: RaftLog;
  readonly membership: MembershipTracker;
  /** Started from its own log or snapshot (a restart, an adopted identity, a re-founding). */
  readonly restarted: boolean;
  /** Re-founding the group as the only voter of a configuration logged on top of its own log. */
  readonly refounding: boolean;
  /** commitIndex (Raft Fig. 2) as stored, within what the snapshot and log hold. */
  readonly commit: number;
  /** lastApplied: the host's state machine starts from the snapshot's image. */
  readonly applied: number;
}

export function restoreFromStorage(options: RaftNodeOptions): RestoredState {
  const { hardState, snapshot, entries } = options.state;
  const snapshots = new SnapshotKeeper(snapshot);
  const snapIndex = snapshot?.meta.index ?? 0;
  const log = new RaftLog(snapIndex, snapshot?.meta.term ?? 0, entries);
  const restarted = snapshot !== null || log.lastIndex() > 0;
  // Never re-bootstrap a peer that already has a log or snapshot.
  const bootstrap = restarted ? null : (options.bootstrap ?? null);
  const membership = new MembershipTracker(snapshot?.meta.membership ?? bootstrap, snapIndex, bootstrap !== null);
  membership.onAppend(log.all());
  const refounding = options.refound === true && restarted;
  if (refounding) {
    // Learners stay (a tab still syncing goes on syncing from the new leader); departed ones are
    // removed as soon as their notices arrive, silent ones by auto-removal.
    const learners = membership.current().learners.filter((l) => l !== options.id);
    membership.refound({ voters: [options.id], learners });
  }
  const commit = Math.min(Math.max(hardState.commit, snapIndex), log.lastIndex());
  return { snapshots, log, membership, restarted, refounding, commit, applied: snapIndex };
}
