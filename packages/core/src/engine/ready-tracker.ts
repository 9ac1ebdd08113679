// What the previous Ready handed out, so the next one carries only what changed: a hard state only
// when term, vote or commit moved (it is persisted before any message that depends on it, Raft
// Fig. 2), a status only when a visible field changed, and a fresh token for storage to report back.
import type { HardState, RaftStatus } from '../types';
import { sameStatus } from './status';

export class ReadyTracker {
  private nextToken = 1;
  /** The hard state as last handed out for persisting. */
  private persistedHard: HardState;
  /** The status of the previous Ready that carried one (null: none yet, so the first always does). */
  private lastStatus: RaftStatus | null = null;

  constructor(stored: HardState) {
    this.persistedHard = { ...stored };
  }

  token(): number {
    return this.nextToken++;
  }

  hardStateChanged(current: HardState): boolean {
    const last = this.persistedHard;
    return current.term !== last.term || current.vote !== last.vote || current.commit !== last.commit;
  }

  /** `current` when it differs from what was last handed out (and records it), else undefined. */
  takeHardState(current: HardState): HardState | undefined {
    if (!this.hardStateChanged(current)) return undefined;
    this.persistedHard = current;
    return current;
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
