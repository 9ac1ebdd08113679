// Change detection for RaftStatus: Ready.status is non-null only when something visible changed.
import type { RaftStatus } from '../types';
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
    a.catchUp === b.catchUp &&
    sameMembership(a.members, b.members)
  );
}
