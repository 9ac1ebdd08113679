// When the mesh dials a peer again after a failed or lost link: one pending timer per peer, its
// delay from that peer's own exponential backoff (reset once a link to it comes up).
import { Backoff } from './backoff';
import type { BackoffOptions } from './types';

export class RedialSchedule {
  private readonly backoffs = new Map<string, Backoff>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: BackoffOptions) {}

  /** Whether a redial of `id` is waiting for its timer. */
  pending(id: string): boolean {
    return this.timers.has(id);
  }

  /** Runs `dial` after `id`'s next backoff delay, unless a redial is already waiting. */
  schedule(id: string, dial: () => void): void {
    if (this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      dial();
    }, this.backoffFor(id).next());
    this.timers.set(id, timer);
  }

  /** Drops a waiting redial of `id`. */
  cancel(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** The next attempt at `id` starts from the shortest delay (a link came up, or a dial starts afresh). */
  resetBackoff(id: string): void {
    this.backoffFor(id).reset();
  }

  /** Forgets `id` altogether: no waiting redial, no backoff history. */
  forget(id: string): void {
    this.cancel(id);
    this.backoffs.delete(id);
  }

  /** Drops every waiting redial (the mesh closes). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private backoffFor(id: string): Backoff {
    let backoff = this.backoffs.get(id);
    if (backoff === undefined) {
      backoff = new Backoff(this.options);
      this.backoffs.set(id, backoff);
    }
    return backoff;
  }
}
