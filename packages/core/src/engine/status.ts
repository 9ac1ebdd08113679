// Change detection for RaftStatus (Ready.status is non-null only when something visible changed),
// shared with the client's GroupStatus (host/status-store.ts), which carries the same fields.
import type { CatchUpProgress, RaftStatus } from '../types';
import { sameMembership } from './membership';

/** Whether `a` and `b` agree on every one of `keys` (compared with ===). */
export function sameFields<T, K extends keyof T>(a: T, b: T, keys: readonly K[]): boolean {
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

const NONE: readonly string[] = [];

/** Element-wise equality of two lists; an absent list equals an empty one. */
export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? NONE;
  const y = b ?? NONE;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The status fields the engine's RaftStatus and the client's GroupStatus share. */
export type SharedStatus = Pick<RaftStatus, 'role' | 'term' | 'leader' | 'committed' | 'applied' | 'online' | 'removed' | 'frozen' | 'members' | 'catchUp'> & {
  departed?: readonly string[];
  priorVoters?: readonly string[];
};

/**
 * Equality of the shared status fields (membership and catch-up progress compared by value). Runs
 * at every hasReady() and ready(), so the scalar fields are compared by name rather than through sameFields.
 */
export function sameSharedStatus(a: SharedStatus, b: SharedStatus): boolean {
  return (
    a.role === b.role && a.term === b.term && a.leader === b.leader && a.committed === b.committed &&
    a.applied === b.applied && a.online === b.online && a.removed === b.removed && a.frozen === b.frozen &&
    sameList(a.departed, b.departed) && sameList(a.priorVoters, b.priorVoters) && sameProgress(a.catchUp, b.catchUp) && sameMembership(a.members, b.members)
  );
}

/** The engine's status is unchanged (null, before the first Ready, never equals). */
export function sameStatus(a: RaftStatus | null, b: RaftStatus): boolean {
  return a !== null && a.lastIndex === b.lastIndex && sameSharedStatus(a, b);
}

const PROGRESS_FIELDS = ['fraction', 'from', 'to', 'entriesFetched', 'bytesFetched', 'peersUsed', 'phase'] as const;

/** Field-by-field equality of catch-up progress (null only equals null). */
export function sameProgress(a: CatchUpProgress | null, b: CatchUpProgress | null): boolean {
  if (a === null || b === null) return a === b;
  return sameFields(a, b, PROGRESS_FIELDS);
}
