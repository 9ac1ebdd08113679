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
//    A departed voter may have voted in its last term before it left, though (for itself, when it
//    was campaigning too), and that vote is not in its final position. So an election leaves a
//    departed voter out only when the notice's term is below the election's: a peer that departed
//    never votes again, so it cast no vote in any later term. A candidate that only a departed
//    voter of its own term keeps from winning campaigns again in the next term (candidacy.ts).
//    (Found by the tabs scenario: of two voters left, one that had not yet logged the promotion of
//    the third won its term alone and left; the third then left it out and won the same term.)
// The final position a departing peer reports must therefore cover everything it ever counted for:
// a follower or candidate reports its last log entry; a leader reports its commit index or the end
// of the log it inherited when elected, whichever is later (its own-term entries beyond its commit
// were never counted for anything anyone could observe). Another departed leader's position may cap
// it (claim() says when and why). Both arguments need every notice to be genuine: a notice is taken
// from the departed peer itself or passed on by a member (DepartureHandler), as Raft trusts members.
//
// Nothing else here relaxes a quorum rule. A departing leader's last appends (DeparturePlan.appends)
// are ordinary AppendEntries of its term, sent while it still leads, so that a member that lagged can
// cover its final position; successors and the re-founding they allow are in departure-handler.ts
// (every voter gone and every claim covered: no quorum of that configuration can form again).
import type { Departure } from '../messages';
import type { RaftLog } from './raft-log';
import type { PeerId } from '../types';

export interface FinalPosition {
  lastIndex: number;
  lastTerm: number;
}

interface Notice extends FinalPosition {
  term: number;
  led: boolean;
  /** The notice as received, naming the departed peer (passed on to peers that connect later). */
  message: Departure;
}

export class DepartureBook {
  private readonly notices = new Map<PeerId, Notice>();
  /** Every peer whose notice was ever seen (never pruned: a notice is passed on once, ever). */
  private readonly seen = new Set<PeerId>();
  /** Peers named on a departed leader's successor list (kept while they are members). */
  private readonly namedSuccessors = new Set<PeerId>();

  /** True the first time a notice of `peer` is seen (then it is passed on to the other peers). */
  firstNotice(peer: PeerId): boolean {
    if (this.seen.has(peer)) return false;
    this.seen.add(peer);
    return true;
  }

  /** `peer` announced its departure at some point (never forgotten: it must stay silent forever). */
  everDeparted(peer: PeerId): boolean {
    return this.seen.has(peer);
  }

  record(peer: PeerId, m: Departure): void {
    const known = this.notices.get(peer);
    // Copies of a notice are identical; should two ever differ, the later position is the safe one.
    for (const successor of m.successors ?? []) this.namedSuccessors.add(successor);
    if (!known || isAfter(m, known)) {
      const message: Departure = { ...m, peer };
      if (m.successors) message.successors = [...m.successors];
      this.notices.set(peer, { lastIndex: m.lastIndex, lastTerm: m.lastTerm, term: m.term, led: m.led === true, message });
    }
  }

  /** The notices of departed peers still tracked, to pass on to a peer that connects now. */
  messages(): Departure[] {
    return [...this.notices.values()].map((n) => n.message);
  }

  /**
   * `peer` was on the successor list of a departed leader (and has stayed a member since).
   * Successor lists name only voters and learners that asked to vote, so a later leader may name it
   * too even if it never heard the request itself (it led too briefly).
   */
  named(peer: PeerId): boolean {
    return this.namedSuccessors.has(peer);
  }

  has(peer: PeerId): boolean {
    return this.notices.has(peer);
  }

  /**
   * What a departed peer's quorum slot is worth: its final position, or another departed leader's
   * when that is lower and that leader's term is at least the last term of the final position. Why
   * that covers everything the peer counted for: each committed entry it counted for was committed
   * in some term T through an entry of T that the peer acknowledged (or, as leader, committed); that
   * entry is still in its log at or before its final position (committed entries are never
   * truncated; see the header for a leader's final position), so T is at most the final position's
   * last term, hence at most the other leader's term. Committed in an earlier term than that
   * leader's, the entry is in the log the leader inherited (Leader Completeness, §5.4.3); committed
   * in the leader's own term, the leader committed it; both are at or below the leader's final
   * position. This holds for a departed leader's own notice too: one that led only for a moment
   * reports the end of the log it inherited, and entries there of a term whose leader departed
   * without committing them never counted. (Without the cap, a follower, or a leader elected just
   * before the others closed, holding entries its departed leader never committed would keep the
   * survivors from ever forming a quorum.)
   */
  claim(peer: PeerId): FinalPosition | undefined {
    const notice = this.notices.get(peer);
    if (!notice) return undefined;
    let claim: FinalPosition = notice;
    for (const other of this.notices.values()) {
      if (other !== notice && other.led && other.term >= notice.lastTerm && isAfter(claim, other)) claim = other;
    }
    return claim;
  }

  /** The highest term any departed peer reached (0 when none). */
  maxTerm(): number {
    let max = 0;
    for (const notice of this.notices.values()) max = Math.max(max, notice.term);
    return max;
  }

  /** Departed peers, sorted. */
  all(): PeerId[] {
    return [...this.notices.keys()].sort();
  }

  /**
   * The voters that count for a quorum seen from a peer with log `log`: departed voters whose claim
   * this log is at least as up to date as are left out. `self` always counts. For the votes of an
   * election in `electionTerm`, a departed voter whose notice is of that term or a later one counts
   * still: it may have voted in that term before it left (see the header).
   */
  effectiveVoters(voters: readonly PeerId[], log: RaftLog, self: PeerId, electionTerm?: number): PeerId[] {
    if (this.notices.size === 0) return voters as PeerId[];
    return voters.filter((voter) => {
      if (voter === self) return true;
      const claim = this.claim(voter);
      if (claim === undefined || !log.atLeastAsUpToDateAs(claim.lastIndex, claim.lastTerm)) return true;
      return electionTerm !== undefined && (this.notices.get(voter)?.term ?? 0) >= electionTerm;
    });
  }

  /** Peers no longer in the configuration need no entry any more (departed leaders are kept while a departed member is). */
  forgetExcept(members: ReadonlySet<PeerId>): void {
    const memberDeparted = [...this.notices.keys()].some((peer) => members.has(peer));
    for (const [peer, notice] of [...this.notices]) if (!members.has(peer) && !(notice.led && memberDeparted)) this.notices.delete(peer);
    for (const peer of [...this.namedSuccessors]) if (!members.has(peer)) this.namedSuccessors.delete(peer);
  }
}

function isAfter(a: FinalPosition, b: FinalPosition): boolean {
  return a.lastTerm > b.lastTerm || (a.lastTerm === b.lastTerm && a.lastIndex > b.lastIndex);
}
