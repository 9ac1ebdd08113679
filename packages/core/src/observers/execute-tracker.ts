// The state behind a UI's execute button as a small framework-free external store (@meshraft/react's
// useExecute binds it): which commands are in flight, the last error, every command that failed since
// the last retry/reset, and what the state machine answered to the last call that succeeded. Kept
// outside UI state so that retry() always sees the current failures (no stale closure) and
// concurrent calls never lose one.
import { MeshraftError, type Unexecuted } from '../errors';
import type { ExecuteManyResult, ExecuteOptions, ExecuteResult, Group } from '../group';

/** A call that succeeded: its commands, where they landed, and `results[i]` (apply's answer) for `commands[i]`. */
export interface ExecutedCall<Cmd, R = unknown> {
  commands: readonly Cmd[];
  /** Log index range of the call (start === end for execute). */
  start: number;
  end: number;
  /** What apply returned on this peer; undefined entries as documented for ExecuteResult. */
  results: ReadonlyArray<R | undefined>;
}

export interface ExecuteState<Cmd, R = unknown> {
  /** Number of calls (execute / executeMany / retry) in flight. */
  pending: number;
  /** Commands of the calls in flight, in call order (e.g. to draw optimistic, greyed-out items). */
  pendingCommands: readonly Cmd[];
  /** The last failure, or null. meshraft errors carry `unexecuted` (what was not executed). */
  error: Error | null;
  /** Commands of every call that failed since the last retry()/reset(), in call order; null when none. */
  failed: readonly Cmd[] | null;
  /** The call that succeeded most recently (in order of completion), or null before any did. */
  lastResult: ExecutedCall<Cmd, R> | null;
}

interface InFlight<Cmd> {
  commands: readonly Cmd[];
}

const idle: ExecuteState<never, never> = Object.freeze({ pending: 0, pendingCommands: Object.freeze([]), error: null, failed: null, lastResult: null });

export class ExecuteTracker<Cmd, R = unknown> {
  private state: ExecuteState<Cmd, R> = idle;
  private readonly inFlight: InFlight<Cmd>[] = [];
  private readonly listeners = new Set<() => void>();

  getSnapshot = (): ExecuteState<Cmd, R> => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Tracks one call: pending while `run` is in flight; on success it becomes `lastResult`, on
   * failure its commands join `failed`.
   */
  async track<T extends ExecuteResult<R> | ExecuteManyResult<R>>(commands: readonly Cmd[], run: () => Promise<T>): Promise<T> {
    const call: InFlight<Cmd> = { commands: [...commands] };
    this.inFlight.push(call);
    this.publish({});
    try {
      const value = await run();
      this.remove(call);
      this.publish({ lastResult: executedCall(call.commands, value) });
      return value;
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      this.remove(call);
      this.publish({ error, failed: [...(this.state.failed ?? []), ...unexecutedCommands(error, call.commands)] });
      throw error;
    }
  }

  /** Executes every failed command again, in one batch; null when nothing failed. */
  retry(group: Group<Cmd, unknown, unknown, R>, options?: ExecuteOptions): Promise<ExecuteManyResult<R>> | null {
    const commands = this.state.failed;
    if (!commands || commands.length === 0) return null;
    this.publish({ error: null, failed: null });
    return this.track(commands, () => group.executeMany([...commands], options));
  }

  /** Clears `error` and `failed`; `lastResult` stays (it describes a call that did succeed). */
  reset(): void {
    if (this.state.error !== null || this.state.failed !== null) this.publish({ error: null, failed: null });
  }

  private remove(call: InFlight<Cmd>): void {
    const at = this.inFlight.indexOf(call);
    if (at >= 0) this.inFlight.splice(at, 1);
  }

  private publish(change: Partial<Pick<ExecuteState<Cmd, R>, 'error' | 'failed' | 'lastResult'>>): void {
    this.state = Object.freeze({
      error: this.state.error,
      failed: this.state.failed,
      lastResult: this.state.lastResult,
      ...change,
      pending: this.inFlight.length,
      pendingCommands: Object.freeze(this.inFlight.flatMap((call) => call.commands)),
    });
    for (const listener of [...this.listeners]) listener();
  }
}

/** One shape for execute's and executeMany's answers. */
function executedCall<Cmd, R>(commands: readonly Cmd[], value: ExecuteResult<R> | ExecuteManyResult<R>): ExecutedCall<Cmd, R> {
  const range = 'results' in value ? value : { start: value.index, end: value.index, results: [value.result] };
  return Object.freeze({ commands: Object.freeze([...commands]), start: range.start, end: range.end, results: Object.freeze([...range.results]) });
}

/** The meshraft errors that carry `unexecuted`, by name: an app may hold two copies of core. */
const CARRY_UNEXECUTED = new Set(['OfflineError', 'TimeoutError', 'ClosedError']);

/**
 * The commands of a failed call that did not execute: meshraft errors say which (a batch may have
 * partly applied before the failure); any other error leaves them all. Recognised by name and
 * shape as well as by class: an error from another copy of @meshraft/core fails `instanceof`, and
 * taking all its commands for unexecuted would make retry() apply the ones that did execute again.
 */
function unexecutedCommands<Cmd>(error: Error, commands: readonly Cmd[]): readonly Cmd[] {
  if (!(error instanceof MeshraftError) && !CARRY_UNEXECUTED.has(error.name)) return commands;
  const unexecuted = (error as { unexecuted?: Unexecuted<Cmd, unknown> }).unexecuted;
  return unexecuted?.kind === 'commands' && Array.isArray(unexecuted.commands) ? unexecuted.commands : commands;
}
