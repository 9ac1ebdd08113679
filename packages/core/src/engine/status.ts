// Change detection for RaftStatus: Ready.status is non-null only when something visible changed.
import type { CatchUpProgress, RaftStatus } from '../types';
import { sameMembership } from './membership';

export function sameStatus(a: RaftStatus | null, b: RaftStatus): boolean {
  return (
    a !== null &&
    a.role === b.role &&
    a.term === b.term &&
    a.leader === b.leader &&
    a.committed === b.committed &&
    a.applied === b.applied &&
    a.lastIndex === b.lastIndex &&
    a.online === b.online &&
    a.removed === b.removed &&
    a.frozen === b.frozen &&
    sameList(a.departed, b.departed) &&
    sameProgress(a.catchUp, b.catchUp) &&
    sameMembership(a.members, b.members)
  );
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Field-by-field equality of catch-up progress (null only equals null). */
export function sameProgress(a: CatchUpProgress | null, b: CatchUpProgress | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.fraction === b.fraction &&
    a.from === b.from &&
    a.to === b.to &&
    a.entriesFetched === b.entriesFetched &&
    a.bytesFetched === b.bytesFetched &&
    a.peersUsed === b.peersUsed &&
    a.phase === b.phase
  );
}
