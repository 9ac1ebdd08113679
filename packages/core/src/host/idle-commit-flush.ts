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

  constructor(
    private readonly clock: Clock,
    private readonly flush: () => void,
  ) {}

  /** The Ready loop went idle: flush after IDLE_COMMIT_FLUSH_MS unless it gets busy first. */
  idle(): void {
    if (this.handle !== null) return;
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      this.flush();
    }, IDLE_COMMIT_FLUSH_MS);
  }

  /** The Ready loop has work again (or the host stops): no flush now. */
  busy(): void {
    if (this.handle === null) return;
    this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}
