// The Group a subtree works with. The provider only passes the object down: every hook
// subscribes to the group itself through useSyncExternalStore, so the provider never re-renders.
import { createContext, useContext, type ReactNode } from 'react';
import type { Group } from '@meshraft/core';

const GroupContext = createContext<Group<unknown, unknown, unknown> | null>(null);

export interface GroupProviderProps<Cmd, Q, QR> {
  group: Group<Cmd, Q, QR>;
  children?: ReactNode;
}

export function GroupProvider<Cmd, Q, QR>({ group, children }: GroupProviderProps<Cmd, Q, QR>) {
  return <GroupContext.Provider value={group}>{children}</GroupContext.Provider>;
}

/** The Group from the nearest <GroupProvider>; throws a clear error when there is none. */
export function useGroup<Cmd = unknown, Q = unknown, QR = unknown>(): Group<Cmd, Q, QR> {
  const group = useContext(GroupContext);
  if (!group) throw new Error('useGroup: no <GroupProvider group={...}> above this component');
  return group as Group<Cmd, Q, QR>;
}
