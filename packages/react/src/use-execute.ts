// useExecute: commands with pending / error / retry state for the UI (typed errors carry what was
// not executed, so nothing a user typed is lost while the group is offline), and what the state
// machine answered to the last call that succeeded.
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { ExecuteTracker, type ExecuteManyResult, type ExecuteOptions, type ExecuteResult, type ExecuteState } from '@meshraft/core';
import { useGroup } from './context';

export interface UseExecuteResult<Cmd, R = unknown> extends ExecuteState<Cmd, R> {
  /**
   * Executes one command; resolves with its index and what apply returned for it on this peer,
   * rejects with a typed error (also kept in `error`).
   */
  execute(command: Cmd, options?: ExecuteOptions): Promise<ExecuteResult<R>>;
  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>>;
  /**
   * Executes every command in `failed` again (one batch); resolves null when nothing failed.
   * After a TimeoutError the first attempt may still have committed: make such commands idempotent.
   */
  retry(options?: ExecuteOptions): Promise<ExecuteManyResult<R> | null>;
  /** Clears `error` and `failed` (the failed commands are dropped). */
  reset(): void;
}

/**
 * Executes commands against the group of the nearest <GroupProvider>, tracking their state. `R` is
 * the state machine's apply return type (the group's fourth type argument).
 *
 * The state belongs to the group: when the provider's `group` changes (another room), the hook
 * starts over with a fresh tracker, so the previous group's pending, failed and last commands are
 * neither shown for the new one nor retried into it. A call still in flight on the previous group
 * settles into that group's tracker (its promise still resolves or rejects for the caller).
 * The server render and hydration show the initial (idle) state.
 */
export function useExecute<Cmd, R = unknown>(): UseExecuteResult<Cmd, R> {
  const group = useGroup<Cmd, unknown, unknown, R>();
  const { tracker, getServerSnapshot } = useMemo(() => {
    const created = new ExecuteTracker<Cmd, R>();
    const initial = created.getSnapshot();
    return { tracker: created, getServerSnapshot: () => initial };
  }, [group]); // one tracker per group
  const state = useSyncExternalStore(tracker.subscribe, tracker.getSnapshot, getServerSnapshot);

  const execute = useCallback(
    (command: Cmd, options?: ExecuteOptions) => tracker.track([command], () => group.execute(command, options)),
    [group, tracker],
  );
  const executeMany = useCallback(
    (commands: Cmd[], options?: ExecuteOptions) => tracker.track(commands, () => group.executeMany(commands, options)),
    [group, tracker],
  );
  const retry = useCallback(async (options?: ExecuteOptions) => (await tracker.retry(group, options)) ?? null, [group, tracker]);
  const reset = useCallback(() => tracker.reset(), [tracker]);

  return useMemo(() => ({ ...state, execute, executeMany, retry, reset }), [state, execute, executeMany, retry, reset]);
}
