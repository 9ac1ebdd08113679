// A departing leader's notice covers what its page has seen committed. The notice the engine planned
// names the log end as of the plan's last relay, but the page learns of commits on another channel
// (committed entries reach it before the batch holding them is written, and its clients are answered
// from them): a commit it counted itself for may lie past the plan. Successors re-found only from a
// position covering every departed voter's notice, so a notice short of an answered write could let
// a re-founding lose it.
import type { Departure } from '../messages';
import type { Role } from '../types';

/** What the departing page has seen of its engine: role and term, and the highest index it saw committed. */
export interface SeenByPage {
  role: Role;
  term: number;
  committed: number;
}

/**
 * The notice to send: a leader's (`led`) raised to the commit index its page saw in the same term;
 * past the log it inherited, a leader's entries are of its own term. Anyone else's as planned.
 */
export function finalNotice(planned: Departure, seen: SeenByPage): Departure {
  const notice: Departure = { ...planned };
  if (notice.led && seen.role === 'leader' && seen.term === notice.term && seen.committed > notice.lastIndex) {
    notice.lastIndex = seen.committed;
    notice.lastTerm = notice.term;
  }
  return notice;
}
