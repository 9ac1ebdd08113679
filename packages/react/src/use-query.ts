import { useMemo, useSyncExternalStore } from 'react';
import { QueryObserver, type Consistency, type QueryState } from '@meshraft/core';
import { useGroup } from './context';

export interface UseQueryOptions {
  /** 'weak' (default): local state at once; 'strong': linearizable ReadIndex round per re-run. */
  consistency?: Consistency;
}

/**
 * Runs `query` against the group's state machine and re-runs it as entries apply.
 * The query value is compared by its JSON form, so an inline object literal does not re-subscribe.
 */
export function useQuery<Q, QR>(query: Q, options: UseQueryOptions = {}): QueryState<QR> {
  const group = useGroup<unknown, Q, QR>();
  const consistency = options.consistency ?? 'weak';
  const key = JSON.stringify(query);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `query`
  const observer = useMemo(() => new QueryObserver<Q, QR>(group, query, consistency), [group, key, consistency]);
  return useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
}
