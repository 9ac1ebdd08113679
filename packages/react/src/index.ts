// @meshraft/react: thin React bindings over a meshraft Group (all on useSyncExternalStore).
export { GroupProvider, useGroup, type GroupProviderProps } from './context';
export {
  useGroupStatus,
  useLeader,
  useIsLeader,
  useCommitted,
  useOnline,
  useMembers,
  useCatchUp,
} from './status-hooks';
export { useQuery, type UseQueryOptions } from './use-query';
export { QueryObserver, type QueryState } from './query-observer';
export { useExecute, type UseExecuteResult, type ExecuteState, type ExecutedCall } from './use-execute';
export { ExecuteTracker } from './execute-tracker';
export { shallowEqual } from './shallow-equal';
