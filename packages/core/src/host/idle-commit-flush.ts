// While writes flow, the engine holds back a hard state whose only change is the commit index
// (engine/ready-tracker.ts): it rides along with an append once per heartbeat interval. Once the
// host has had nothing to do for IDLE_COMMIT_FLUSH_MS, it stores what is held in the background, so
// a peer that stops abruptly after its writes paused (a browser shut down, a crash) restarts with
// its last commit index and replays everything it had applied, as when every commit index was
// stored at once. Commits that follow one another closer than that (a caller awaiting each write,
// many in flight) keep the engine busy, and nothing extra is written for them.
import type { Clock } from './clock';

/** How long the Ready loop must have been idle before a held commit index is stored. */
export const IDLE_COMMIT_FLUSH_MS = 4;

export class IdleCommitFlush {
  private handle: unknown = null;
  /** When the Ready loop last went idle; null while it is busy. */
  private idleSince: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly flush: () => void,
  ) {}

  /** The Ready loop went idle: flush once it has stayed idle IDLE_COMMIT_FLUSH_MS. */
  idle(): void {
    this.idleSince = this.clock.now();
    if (this.handle === null) this.wait(IDLE_COMMIT_FLUSH_MS);
  }

  /**
   * The Ready loop has work again: no flush until it is idle long enough. Called on every drain, so
   * it only marks the loop busy; the pending timer (at most one) looks when it fires.
   */
  busy(): void {
    this.idleSince = null;
  }

  /** The host stops: no flush at all. */
  stop(): void {
    this.idleSince = null;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  private wait(ms: number): void {
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      if (this.idleSince === null) return; // busy: the next idle() waits afresh
      const idleFor = this.clock.now() - this.idleSince;
      if (idleFor >= IDLE_COMMIT_FLUSH_MS) this.flush();
      else this.wait(IDLE_COMMIT_FLUSH_MS - idleFor);
    }, ms);
  }
}
