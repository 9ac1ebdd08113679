// A storage call that never settles (an IndexedDB transaction that stalls, a custom Storage that
// hangs) would stop the Ready loop for good while the last status still says online leader or
// follower: every operation times out, nothing says why, and close() waits on the loop for ever.
// PersistWatch bounds every storage write the host waits for (and the storage's close()): one
// still unsettled after the stall limit is taken for a storage that stopped answering, and fails
// the way a rejected write does (EngineHost.fail: the host stops, the client is closed with a
// "storage failure" error).
//
// The limit is generous on purpose. Firing wrongly stops a healthy peer, so it must never fire for
// a legitimately slow write: a large snapshot installed on a busy machine, a browser whose disk is
// briefly saturated. Only time the process was awake and its timers ran counts toward it: the
// watch checks in steps, and a step that comes late (the machine slept, the tab was frozen, a long
// task blocked the thread) counts as one step, not as the time that went by; a storage cannot
// progress while its process is not running either.
import type { Clock } from './clock';

/** A write is never taken for stalled before this long, whatever the configuration. */
export const PERSIST_STALL_FLOOR_MS = 30_000;
/** ...nor before this many election timeouts (a group configured for slow links gets longer). */
export const PERSIST_STALL_ELECTION_TIMEOUTS = 20;
/** The stall limit is checked in this many steps. */
const STALL_CHECKS = 10;

/** How long a storage write may stay unsettled before the host takes its storage for stalled. */
export function persistStallLimitMs(electionTimeoutMs: number): number {
  return Math.max(PERSIST_STALL_FLOOR_MS, PERSIST_STALL_ELECTION_TIMEOUTS * electionTimeoutMs);
}

/** A storage call that did not settle within the stall limit. */
export class StorageStallError extends Error {
  override name = 'StorageStallError';
}

interface Watched {
  /** What the call was, for the error ("a write", "closing the storage"). */
  readonly what: string;
  /** When it started (clock time). */
  readonly startedAt: number;
  /** Awake time counted so far. */
  waited: number;
  reject(error: Error): void;
}

export class PersistWatch {
  private readonly watched = new Set<Watched>();
  private timer: unknown = null;
  private lastCheck = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly step: number;

  constructor(
    private readonly clock: Clock,
    /** See persistStallLimitMs. */
    readonly limitMs: number,
  ) {
    this.step = Math.max(1, Math.ceil(limitMs / STALL_CHECKS));
  }

  /**
   * `work`'s outcome, or a StorageStallError once it has been unsettled for the stall limit. Then
   * every call still watched fails the same way: storage keeps its writes in order, so nothing
   * after a stalled one can land either.
   */
  track<T>(work: Promise<T>, what = 'a write'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Watched = {
        what,
        startedAt: this.clock.now(),
        waited: 0,
        reject: (error) => {
          this.forget(entry);
          reject(error);
        },
      };
      this.watched.add(entry);
      if (this.timer === null) this.arm();
      work.then(
        (value) => {
          this.forget(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.forget(entry);
          reject(error);
        },
      );
    });
  }

  /** Settles once no watched call is outstanding (each settled, or failed at the stall limit). */
  idle(): Promise<void> {
    if (this.watched.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private arm(): void {
    this.lastCheck = this.clock.now();
    this.timer = this.clock.setTimeout(() => this.check(), this.step);
  }

  private check(): void {
    this.timer = null;
    const now = this.clock.now();
    let stalled: Watched | null = null;
    for (const entry of this.watched) {
      // A late check counts one step at most (see the top of the file).
      entry.waited += Math.min(now - Math.max(this.lastCheck, entry.startedAt), this.step);
      if (entry.waited >= this.limitMs) stalled ??= entry;
    }
    if (stalled) {
      const error = new StorageStallError(`storage stopped answering: ${stalled.what} did not complete in ${Math.round(this.limitMs / 1000)} s`);
      for (const entry of [...this.watched]) entry.reject(error);
      return;
    }
    if (this.watched.size > 0) this.arm();
  }

  private forget(entry: Watched): void {
    if (!this.watched.delete(entry)) return;
    if (this.watched.size > 0) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const done of waiters) done();
  }
}
