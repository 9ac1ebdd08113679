// The availability promises of the tabs scenario, as checks with a deadline: after a graceful close
// or reload, a tab that stays commits as leader within a bound; a new, reloaded or reopened tab is
// online within one. A check that is not met by its deadline is an 'availability' violation.
import type { PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor } from './invariants';
import type { SimPeer } from './sim-peer';

interface Check {
  at: number;
  until: number;
  what: string;
  done: () => boolean;
}

export class AvailabilityChecks {
  /** Leader commits: when, and by which tab. */
  private readonly commits: Array<{ at: number; peer: PeerId }> = [];
  private pending: Check[] = [];

  constructor(
    private readonly queue: EventQueue,
    private readonly monitor: InvariantMonitor,
  ) {}

  /** A leader's commit index advanced. */
  leaderCommitted(peer: PeerId): void {
    this.commits.push({ at: this.queue.now, peer });
  }

  /** A tab that stays commits as leader within `bound` (the closing tabs' own last commits do not count). */
  expectCommit(bound: number, what: string, closing: ReadonlySet<PeerId>): void {
    const at = this.queue.now;
    this.add(at, at + bound, what, () => this.commits.some((c) => c.at > at && c.at <= at + bound && !closing.has(c.peer)));
  }

  /** `peer` is online within `bound` (or was closed meanwhile). */
  expectOnline(peer: SimPeer, bound: number, what: string): void {
    const at = this.queue.now;
    let onlineAt: number | null = null;
    const poll = () => {
      if (onlineAt === null && peer.lastStatus?.online) onlineAt = this.queue.now;
      if (onlineAt === null && this.queue.now < at + bound && !peer.retired) this.queue.after(5, poll);
    };
    poll();
    this.add(at, at + bound, `${what} within ${bound}ms`, () => peer.retired || (onlineAt !== null && onlineAt <= at + bound));
  }

  /**
   * At the end of a converged run: checks whose window is still open pass (the group converged,
   * which is more than they ask); those whose window is over and that were not met fail.
   */
  finish(): void {
    for (const check of this.pending) if (this.queue.now > check.until && !check.done()) this.monitor.fail('availability', check.what);
    this.pending = [];
  }

  private add(at: number, until: number, what: string, done: () => boolean): void {
    const check = { at, until, what, done };
    this.pending.push(check);
    this.queue.at(until + 1, () => {
      this.pending = this.pending.filter((c) => c !== check);
      if (!done()) this.monitor.fail('availability', what);
    });
  }
}
