// Applies committed entries to the user's state machine in index order, in time slices of at most
// ~sliceMs (the main thread must never get a long task), skipping no-op and config entries and any
// command whose (clientId, seq) was already applied (exactly-once). What apply returned is handed to
// onEntry, so the peer that proposed the command can answer its caller with it.
import { decodeValue } from '../codec/index';
import type { LogEntry, Snapshot, StateMachine } from '../types';
import type { Clock } from './clock';
import { ExactlyOnceTable, type ExactlyOnceLimits } from './exactly-once';
import { decodeGroupSnapshot } from './group-snapshot';

export interface ApplierStats {
  /** Slices run (a slice ends when the queue is empty or sliceMs elapsed). */
  slices: number;
  commandsApplied: number;
  duplicatesSkipped: number;
  /** Committed commands whose bytes did not decode (skipped identically on every peer). */
  decodeErrors: number;
  /** Commands whose apply() threw, or returned a promise that rejected (the entry still counts as applied). */
  applyErrors: number;
  snapshotsRestored: number;
  /** Restores that threw or rejected, or snapshots that did not decode: the applier stops there (the state is unknown). */
  restoreFailures: number;
  /** Entries that did not follow the applied index directly (must stay 0: the log has no holes). */
  gaps: number;
}

export interface ApplierHooks {
  /**
   * Called for every applied entry (after the state machine saw it); `fresh` false for duplicates.
   * `result` is what apply returned (undefined for duplicates, non-commands, undecodable commands
   * and when apply threw).
   */
  onEntry(entry: LogEntry, fresh: boolean, result: unknown): void;
  /** Called after a snapshot was restored. */
  onSnapshot(snapshot: Snapshot): void;
  /** Called at the end of every slice that applied something. */
  onSliceEnd(): void;
}

/** A snapshot, or a batch of entries as it arrived (not one item per entry: a catch-up delivers tens of thousands at once). */
type QueueItem = { snapshot: Snapshot } | { entries: LogEntry[] };

function isPromiseLike(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}

/** Budget of the slice that runs in the task that received the entries (it also paid for decoding them). */
const FIRST_SLICE_MS = 3;

export class Applier<Cmd> {
  readonly stats: ApplierStats = { slices: 0, commandsApplied: 0, duplicatesSkipped: 0, decodeErrors: 0, applyErrors: 0, snapshotsRestored: 0, restoreFailures: 0, gaps: 0 };
  applied = 0;
  table: ExactlyOnceTable;
  private queue: QueueItem[] = [];
  private head = 0;
  /** Next entry to apply within queue[head] when that is a batch. */
  private offset = 0;
  private scheduled: unknown = null;
  private stopped = false;
  /**
   * An asynchronous restore() in progress: nothing after the snapshot is applied until it settles,
   * and the state machine is not queried (it may be half restored).
   */
  private restoringNow = false;
  /** An asynchronous restore finished since the last onSliceEnd: the next slice ends with one. */
  private restoredSinceSliceEnd = false;

  get restoring(): boolean {
    return this.restoringNow;
  }

  constructor(
    private readonly stateMachine: StateMachine<Cmd, unknown, unknown, unknown>,
    private readonly clock: Clock,
    private readonly hooks: ApplierHooks,
    private readonly sliceMs: number,
    private readonly limits?: ExactlyOnceLimits,
  ) {
    this.table = new ExactlyOnceTable(limits);
  }

  /**
   * Queue a batch; applying starts in the current task (a short slice: that task also decoded the
   * message) and continues in later ones.
   */
  enqueue(entries: LogEntry[], snapshot: Snapshot | null): void {
    if (this.stopped) return;
    if (snapshot) this.queue.push({ snapshot });
    if (entries.length > 0) this.queue.push({ entries });
    if (this.scheduled === null && !this.restoringNow) this.runSlice(Math.min(this.sliceMs, FIRST_SLICE_MS));
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled !== null) this.clock.clearTimeout(this.scheduled);
    this.scheduled = null;
    this.clearQueue();
  }

  private clearQueue(): void {
    this.queue = [];
    this.head = 0;
    this.offset = 0;
  }

  private runSlice(budgetMs = this.sliceMs): void {
    this.scheduled = null;
    if (this.stopped) return;
    const start = this.clock.now();
    let progressed = false;
    // The clock is read after every `stride` items. Reading it cost about as much as applying a small
    // command, so the stride doubles (up to 16) while the last stride took under a quarter of the
    // budget left, and halves otherwise. A slice overruns its budget by one stride at most: entries
    // that turn slow after cheap ones cost at most 16 of them before the next look.
    let stride = 1;
    let untilCheck = 1;
    let lastCheck = start;
    while (this.head < this.queue.length && !this.restoringNow) {
      const item = this.queue[this.head];
      if ('snapshot' in item) {
        this.head++;
        progressed = this.restore(item.snapshot) || progressed;
      } else {
        const entry = item.entries[this.offset++];
        if (this.offset === item.entries.length) {
          this.head++;
          this.offset = 0;
        }
        progressed = this.applyEntry(entry) || progressed;
      }
      if (--untilCheck > 0) continue;
      const now = this.clock.now();
      if (now - start >= budgetMs) break;
      stride = 4 * (now - lastCheck) < budgetMs - (now - start) ? Math.min(2 * stride, 16) : Math.max(1, stride >> 1);
      untilCheck = stride;
      lastCheck = now;
    }
    if (this.restoringNow) {
      // restore() returned a promise: it continues the queue once the state machine is restored.
    } else if (this.head >= this.queue.length) {
      this.clearQueue();
    } else {
      // Yield so the thread can render and handle input, then continue (the next task; defer
      // avoids the 4 ms clamp of nested setTimeout(0)).
      const next = () => this.runSlice();
      this.scheduled = this.clock.defer ? this.clock.defer(next) : this.clock.setTimeout(next, 0);
    }
    this.stats.slices++;
    // Not while a restore runs: strong reads and snapshots would query a half-restored state machine.
    if ((progressed || this.restoredSinceSliceEnd) && !this.restoringNow) {
      this.restoredSinceSliceEnd = false;
      this.hooks.onSliceEnd();
    }
  }

  private restore(snapshot: Snapshot): boolean {
    if (snapshot.meta.index <= this.applied) return false;
    let data;
    try {
      data = decodeGroupSnapshot(snapshot.data);
    } catch {
      // The entries after it build on its state: applying them to this state machine's older one
      // would diverge from the group. Applying stops, as after a rejected restore (counted).
      this.stats.decodeErrors++;
      return this.restoreFailed();
    }
    const finish = () => {
      this.table = ExactlyOnceTable.restore(data.table, this.limits);
      this.applied = snapshot.meta.index;
      this.stats.snapshotsRestored++;
      this.hooks.onSnapshot(snapshot);
    };
    let pending;
    try {
      pending = data.app && this.stateMachine.restore ? this.stateMachine.restore(data.app) : undefined;
    } catch {
      // A restore that threw is one that rejected: the state machine's state is unknown.
      return this.restoreFailed();
    }
    if (!isPromiseLike(pending)) {
      finish();
      return true;
    }
    // An asynchronous restore (e.g. one that decodes a large image in slices): hold every later
    // entry until it is done, then go on in a new task.
    this.restoringNow = true;
    const resume = () => {
      this.restoringNow = false;
      if (this.stopped) return;
      finish();
      this.restoredSinceSliceEnd = true;
      this.runSlice();
    };
    // A rejected restore leaves the state machine in an unknown state: applying the entries after
    // the snapshot on top of it would diverge from the group, so applying stops (counted).
    pending.then(resume, () => {
      this.restoreFailed();
    });
    return false;
  }

  /**
   * The snapshot could not be restored (it did not decode, or restore() threw or rejected): the
   * state machine's state is unknown, so nothing after the snapshot is applied, ever (counted).
   * The applied index and the exactly-once table stay those before the snapshot.
   */
  private restoreFailed(): false {
    this.stats.restoreFailures++;
    this.restoringNow = true;
    return false;
  }

  private applyEntry(entry: LogEntry): boolean {
    // A restart replays the committed prefix; an entry at or below applied was already applied.
    if (entry.index <= this.applied) return false;
    if (entry.index !== this.applied + 1) this.stats.gaps++;
    let fresh = true;
    let result: unknown;
    if (entry.kind === 'command') {
      fresh = !entry.client || this.table.markApplied(entry.client);
      if (fresh) result = this.applyCommand(entry);
      else this.stats.duplicatesSkipped++;
    }
    this.applied = entry.index;
    this.hooks.onEntry(entry, fresh, result);
    return true;
  }

  private applyCommand(entry: LogEntry & { kind: 'command' }): unknown {
    let command: Cmd;
    try {
      command = decodeValue(entry.data) as Cmd;
    } catch {
      this.stats.decodeErrors++;
      return undefined;
    }
    try {
      const result = this.stateMachine.apply(command, { index: entry.index, term: entry.term, client: entry.client });
      this.stats.commandsApplied++;
      // apply() is synchronous: a promise it returns is not awaited (later entries apply at once)
      // and is the caller's result as is. Its rejection is counted here, so that on a peer where
      // nobody awaits it, it is not an unhandled rejection (which ends a Node process).
      if (isPromiseLike(result)) {
        result.then(undefined, () => {
          this.stats.applyErrors++;
        });
      }
      return result;
    } catch {
      // apply() is deterministic, so every peer throws here alike; the entry stays applied.
      this.stats.applyErrors++;
      return undefined;
    }
  }
}
