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
// Framework-free stores behind useQuery / useExecute; they live in @meshraft/core.
export { QueryObserver, type QueryState, ExecuteTracker, type ExecuteState, type ExecutedCall } from '@meshraft/core';
export { useExecute, type UseExecuteResult } from './use-execute';
export { shallowEqual } from './shallow-equal';
