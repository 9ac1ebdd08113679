// ReadIndex on the leader (thesis §6.4): a read waits until the leader has committed an entry of
// its own term, records readIndex = commit, then waits for a heartbeat round acknowledged by a
// majority of voters (proving it was still leader when the read arrived). Reads arriving between
// two rounds share the next round.
import type { PeerId } from '../types';

export type ReadOrigin = { kind: 'local'; requestId: number } | { kind: 'remote'; peer: PeerId; requestId: number };

interface WaitingRead {
  origin: ReadOrigin;
  deadline: number;
}

export interface ConfirmedRead {
  origin: ReadOrigin;
  index: number;
}

interface PendingRead extends WaitingRead {
  index: number;
  round: number;
}

export class ReadIndexTracker {
  /** Not yet assigned an index (leader has not committed in its term, or no round started yet). */
  private waiting: WaitingRead[] = [];
  private pending: PendingRead[] = [];

  add(origin: ReadOrigin, deadline: number): void {
    this.waiting.push({ origin, deadline });
  }

  hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  size(): number {
    return this.waiting.length + this.pending.length;
  }

  /** Assign every waiting read the index `commit`, confirmed by heartbeat round `round`. */
  start(commit: number, round: number): void {
    for (const read of this.waiting) this.pending.push({ ...read, index: commit, round });
    this.waiting = [];
  }

  /** Reads whose round a majority has acknowledged (`confirmedRound` = quorum's lowest echoed round). */
  confirm(confirmedRound: number): ConfirmedRead[] {
    const done: ConfirmedRead[] = [];
    const rest: PendingRead[] = [];
    for (const read of this.pending) {
      if (read.round <= confirmedRound) done.push({ origin: read.origin, index: read.index });
      else rest.push(read);
    }
    this.pending = rest;
    return done;
  }

  /** Reads past their deadline, removed. */
  expire(now: number): ReadOrigin[] {
    const expired: ReadOrigin[] = [];
    const keep = (read: WaitingRead) => {
      if (read.deadline <= now) {
        expired.push(read.origin);
        return false;
      }
      return true;
    };
    this.waiting = this.waiting.filter(keep);
    this.pending = this.pending.filter(keep);
    return expired;
  }

  /** Everything outstanding, removed (the leader stepped down). */
  drain(): ReadOrigin[] {
    const all = [...this.waiting.map((r) => r.origin), ...this.pending.map((r) => r.origin)];
    this.waiting = [];
    this.pending = [];
    return all;
  }
}
