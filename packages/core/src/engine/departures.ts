// Graceful departures (a browser tab closing): a peer that is going away for good sends every peer
// a Departure notice and never votes, acknowledges or sends anything again (the runtime enforces
// this: the identity is tombstoned and its frames are cut before the notice goes out).
//
// A departed voter is then excluded from quorums, but only by a peer whose log is at least as up to
// date as the departed peer's final log position (§5.4.1's comparison). Why that is safe:
//  - Election Safety: two candidates of one term that exclude different departed sets still get
//    their votes only from live voters; each has a strict majority of a set that contains every
//    live voter of the configuration, so the two vote sets intersect and a voter votes once a term.
//  - Leader Completeness: an entry committed with a quorum Q is held by every member of Q. A later
//    candidate's quorum either intersects Q in a live voter (the usual argument, §5.4.3), or some
//    member of Q departed and was excluded; then the candidate is at least as up to date as that
//    member's final log, which holds the entry (a committed entry is never truncated), so the
//    candidate holds it too (§5.4.3 again).
// The final position a departing peer reports must therefore cover everything it ever counted for:
// a follower or candidate reports its last log entry; a leader reports its commit index or the end
// of the log it inherited when elected, whichever is later (its own-term entries beyond its commit
// were never counted for anything anyone could observe).
import type { RaftLog } from './raft-log';
import type { PeerId } from '../types';

export interface FinalPosition {
  lastIndex: number;
  lastTerm: number;
}

export class DepartureBook {
  private readonly finals = new Map<PeerId, FinalPosition>();

  record(peer: PeerId, final: FinalPosition): void {
    const known = this.finals.get(peer);
    // Copies of a notice are identical; should two ever differ, the later position is the safe one.
    if (!known || isAfter(final, known)) this.finals.set(peer, { lastIndex: final.lastIndex, lastTerm: final.lastTerm });
  }

  has(peer: PeerId): boolean {
    return this.finals.has(peer);
  }

  final(peer: PeerId): FinalPosition | undefined {
    return this.finals.get(peer);
  }

  /** Departed peers, sorted. */
  all(): PeerId[] {
    return [...this.finals.keys()].sort();
  }

  /**
   * The voters that count for a quorum seen from a peer with log `log`: departed voters whose final
   * position this log is at least as up to date as are left out. `self` always counts.
   */
  effectiveVoters(voters: readonly PeerId[], log: RaftLog, self: PeerId): PeerId[] {
    if (this.finals.size === 0) return voters as PeerId[];
    return voters.filter((voter) => {
      if (voter === self) return true;
      const final = this.finals.get(voter);
      return final === undefined || !log.atLeastAsUpToDateAs(final.lastIndex, final.lastTerm);
    });
  }

  /** Peers no longer in the configuration need no entry any more. */
  forgetExcept(members: ReadonlySet<PeerId>): void {
    for (const peer of [...this.finals.keys()]) if (!members.has(peer)) this.finals.delete(peer);
  }
}

function isAfter(a: FinalPosition, b: FinalPosition): boolean {
  return a.lastTerm > b.lastTerm || (a.lastTerm === b.lastTerm && a.lastIndex > b.lastIndex);
}
