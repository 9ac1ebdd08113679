// What the previous Ready handed out, so the next one carries only what changed: a hard state when
// term or vote moved (it is persisted before any message that depends on it, Raft Fig. 2), a status
// only when a visible field changed, and a fresh token for storage to report back.
//
// The commit index is volatile state (Fig. 2): storing it only lets a restart replay more of the log
// at once. So a hard state whose only change is the commit index is held back: it rides along with a
// batch that writes entries (or anything else) at most once per `commitWriteIntervalMs`, and goes
// out on its own only once it has waited twice that long (writes stopped). A new term or vote is
// never held back and carries the commit index with it. While commands flow, every peer then
// stores the commit index with one append per interval, instead of in a transaction of its own
// after every commit (which the next append's transaction also had to wait for: storage keeps
// batches in order). When writes stop, the stored commit index catches up within two intervals.
import type { HardState, RaftStatus } from '../types';
import { sameStatus } from './status';

export class ReadyTracker {
  private nextToken = 1;
  /** The hard state as last handed out for persisting. */
  private persistedHard: HardState;
  /** The status of the previous Ready that carried one (null: none yet, so the first always does). */
  private lastStatus: RaftStatus | null = null;
  /** When a hard state that moved the commit index was last handed out. */
  private lastCommitWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    stored: HardState,
    private readonly commitWriteIntervalMs: number,
  ) {
    this.persistedHard = { ...stored };
  }

  token(): number {
    return this.nextToken++;
  }

  /** Whether a Ready taken at `now` that writes nothing else would carry a hard state. */
  hardStateDue(current: HardState, now: number): boolean {
    return this.due(current, now, false);
  }

  /**
   * `current` when a Ready taken at `now` should persist it (and records it), else undefined: when
   * term or vote moved, or the commit index moved and has been held for an interval (with a batch
   * that writes something else, `withOtherWrites`) or for two (on its own).
   */
  takeHardState(current: HardState, now: number, withOtherWrites: boolean): HardState | undefined {
    if (!this.due(current, now, withOtherWrites)) return undefined;
    return this.record(current, now);
  }

  /**
   * `current` when only its commit index differs from what was last handed out (and records it),
   * whatever the interval: a host idle or closing stores it. A new term or vote is left for the
   * next Ready, whose messages may depend on it.
   */
  takeHeldCommit(current: HardState, now: number): HardState | undefined {
    if (this.termOrVoteChanged(current) || !this.commitChanged(current)) return undefined;
    return this.record(current, now);
  }

  private due(current: HardState, now: number, withOtherWrites: boolean): boolean {
    if (this.termOrVoteChanged(current)) return true;
    if (!this.commitChanged(current)) return false;
    return now >= this.lastCommitWriteAt + (withOtherWrites ? 1 : 2) * this.commitWriteIntervalMs;
  }

  private record(current: HardState, now: number): HardState {
    if (this.commitChanged(current)) this.lastCommitWriteAt = now;
    this.persistedHard = current;
    return current;
  }

  private termOrVoteChanged(current: HardState): boolean {
    return current.term !== this.persistedHard.term || current.vote !== this.persistedHard.vote;
  }

  private commitChanged(current: HardState): boolean {
    return current.commit !== this.persistedHard.commit;
  }

  statusChanged(current: RaftStatus): boolean {
    return !sameStatus(this.lastStatus, current);
  }

  /** `current` when it differs from the previous Ready's status (and records it), else null. */
  takeStatus(current: RaftStatus): RaftStatus | null {
    if (!this.statusChanged(current)) return null;
    this.lastStatus = current;
    return current;
  }
}

