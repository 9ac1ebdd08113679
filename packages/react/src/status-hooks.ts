// Status hooks: each reads one slice of group.status through useSyncExternalStore and only
// re-renders when that slice changes (by Object.is, or shallowly for arrays and plain objects).
import { useCallback, useRef, useSyncExternalStore } from 'react';
import { initialGroupStatus, type CatchUpProgress, type GroupStatus, type Membership, type PeerId } from '@meshraft/core';
import { useGroup } from './context';
import { shallowEqual } from './shallow-equal';

/**
 * The group's status, or a slice of it. `selector` may return a fresh object or array each time:
 * the previous result is kept while the new one is shallowly equal, so snapshots stay stable.
 * On the server and while hydrating it reads the initial status (offline, no leader, nothing
 * committed), so the page hydrates whatever the client group did meanwhile.
 */
export function useGroupStatus(): GroupStatus;
export function useGroupStatus<T>(selector: (status: GroupStatus) => T): T;
export function useGroupStatus<T>(selector?: (status: GroupStatus) => T): T | GroupStatus {
  const group = useGroup();
  const select = selector ?? identity;
  const cache = useRef<{ status: GroupStatus; select: unknown; value: unknown } | null>(null);
  const getSnapshot = () => {
    const status = group.status;
    const cached = cache.current;
    if (cached && cached.status === status && cached.select === select) return cached.value as T;
    const next = select(status);
    const value = cached && shallowEqual(cached.value, next) ? cached.value : next;
    cache.current = { status, select, value };
    return value as T;
  };
  // The server render and hydration read the status every group starts with (through the selector,
  // computed once per group and selector so it is stable): a client group that has moved on since
  // the page was rendered hydrates without a mismatch, then re-renders with its live status.
  const serverCache = useRef<{ group: unknown; select: unknown; value: unknown } | null>(null);
  const getServerSnapshot = () => {
    const cached = serverCache.current;
    if (cached && cached.group === group && cached.select === select) return cached.value as T;
    const value = select(initialGroupStatus(group.peerId));
    serverCache.current = { group, select, value };
    return value as T;
  };
  const subscribe = useCallback((onChange: () => void) => group.subscribe(onChange), [group]);
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}

function identity<T>(value: T): T {
  return value;
}

const selectLeader = (s: GroupStatus) => s.leader;
const selectIsLeader = (s: GroupStatus) => s.role === 'leader';
const selectCommitted = (s: GroupStatus) => s.committed;
const selectOnline = (s: GroupStatus) => s.online;
const selectCatchUp = (s: GroupStatus) => s.catchUp;
const selectMembers = (s: GroupStatus) => s.members;

/** The current leader's peer id, or null when none is known. */
export function useLeader(): PeerId | null {
  return useGroupStatus(selectLeader);
}

/** True while this peer is the leader. */
export function useIsLeader(): boolean {
  return useGroupStatus(selectIsLeader);
}

/** The committed index as this peer knows it. */
export function useCommitted(): number {
  return useGroupStatus(selectCommitted);
}

/** True while this peer knows a leader and is not catching up. */
export function useOnline(): boolean {
  return useGroupStatus(selectOnline);
}

/** Voters and learners of the current configuration (stable while unchanged). */
export function useMembers(): Membership {
  return useGroupStatus(selectMembers);
}

/** Progress of a running catch-up session, or null. */
export function useCatchUp(): CatchUpProgress | null {
  return useGroupStatus(selectCatchUp);
}
