import { useMemo, useSyncExternalStore } from 'react';
import { QueryObserver, type Consistency, type QueryState } from '@meshraft/core';
import { useGroup } from './context';
import { queryKey } from './query-key';

export interface UseQueryOptions {
  /** 'weak' (default): local state at once; 'strong': linearizable ReadIndex round per re-run. */
  consistency?: Consistency;
}

/**
 * Runs `query` against the group's state machine and re-runs it as entries apply.
 * The query value is compared by its structure (see query-key.ts: plain JSON by its JSON form, and
 * bigint, Map, Set, Date, typed arrays too), so an inline object literal does not re-subscribe.
 * The server render and hydration show the observer's initial state (no data yet).
 */
export function useQuery<Q, QR>(query: Q, options: UseQueryOptions = {}): QueryState<QR> {
  const group = useGroup<unknown, Q, QR>();
  const consistency = options.consistency ?? 'weak';
  const key = queryKey(query);
  const { observer, getServerSnapshot } = useMemo(() => {
    const created = new QueryObserver<Q, QR>(group, query, consistency);
    // Before its first subscriber an observer has run nothing: its snapshot is the initial state.
    const initial = created.getSnapshot();
    return { observer: created, getServerSnapshot: () => initial };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `query`
  }, [group, key, consistency]);
  return useSyncExternalStore(observer.subscribe, observer.getSnapshot, getServerSnapshot);
}
