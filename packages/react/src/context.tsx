// The Group a subtree works with. The provider only passes the object down: every hook
// subscribes to the group itself through useSyncExternalStore, so the provider never re-renders.
import { createContext, useContext, type ReactElement, type ReactNode } from 'react';
import type { Group } from '@meshraft/core';

const GroupContext = createContext<Group<unknown, unknown, unknown, unknown> | null>(null);

export interface GroupProviderProps<Cmd, Q, QR, R = unknown> {
  group: Group<Cmd, Q, QR, R>;
  children?: ReactNode;
}

// The return type is spelled out: inferred, the published .d.ts would name React.JSX.Element, which
// @types/react 18.0.x (within the `react >=18` peer range) does not have.
export function GroupProvider<Cmd, Q, QR, R = unknown>({ group, children }: GroupProviderProps<Cmd, Q, QR, R>): ReactElement {
  return <GroupContext.Provider value={group as Group<unknown, unknown, unknown, unknown>}>{children}</GroupContext.Provider>;
}

/**
 * The Group from the nearest <GroupProvider>; throws a clear error when there is none. The type
 * arguments are the caller's claim about that group (context cannot carry them).
 */
export function useGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(): Group<Cmd, Q, QR, R> {
  const group = useContext(GroupContext);
  if (!group) throw new Error('useGroup: no <GroupProvider group={...}> above this component');
  return group as Group<Cmd, Q, QR, R>;
}
