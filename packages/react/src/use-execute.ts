// useExecute: commands with pending / error / retry state for the UI (DESIGN §4: typed errors
// carry what was not executed, so nothing a user typed is lost while the group is offline).
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import type { ExecuteOptions, IndexRange } from '@meshraft/core';
import { useGroup } from './context';
import { ExecuteTracker, type ExecuteState } from './execute-tracker';

export type { ExecuteState } from './execute-tracker';

export interface UseExecuteResult<Cmd> extends ExecuteState<Cmd> {
  /** Executes one command; resolves with its index, rejects with a typed error (also kept in `error`). */
  execute(command: Cmd, options?: ExecuteOptions): Promise<number>;
  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<IndexRange>;
  /**
   * Executes every command in `failed` again (one batch); resolves null when nothing failed.
   * After a TimeoutError the first attempt may still have committed: make such commands idempotent.
   */
  retry(options?: ExecuteOptions): Promise<IndexRange | null>;
  /** Clears `error` and `failed` (the failed commands are dropped). */
  reset(): void;
}

/** Executes commands against the group of the nearest <GroupProvider>, tracking their state. */
export function useExecute<Cmd>(): UseExecuteResult<Cmd> {
  const group = useGroup<Cmd>();
  const [tracker] = useState(() => new ExecuteTracker<Cmd>());
  const state = useSyncExternalStore(tracker.subscribe, tracker.getSnapshot, tracker.getSnapshot);

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
