// Turns to campaign after the leader left (a departure notice, or the transport reporting its
// process stopped): the peers still here campaign one at a time, in the order the departed leader
// ranked them (or by id), a heartbeat apart, so that they do not split the vote. Each waits for the
// campaigns of the peers ranked before it; a full election timeout stays the fallback.
import type { PeerId } from '../types';
import type { DepartureHost } from './departure-handler';

type TurnsHost = Pick<
  DepartureHost,
  'id' | 'term' | 'vote' | 'leaderId' | 'role' | 'now' | 'config' | 'departures' | 'membership' | 'connectedPeers' | 'campaignWithin' | 'resetElectionTimer' | 'forgetLeader'
>;

export class CampaignTurns {
  /** Times this peer's leader was reported gone and it took a turn to campaign (tests and counters). */
  leaderGoneTurns = 0;
  /** The latest peer that asked for votes, and in which term (see noteCandidate()). */
  private candidate: { peer: PeerId; term: number } | null = null;
  /** Peers reported gone lately (RaftEngine.peerGone), and when: left out of the turns. */
  private readonly goneAt = new Map<PeerId, number>();
  /**
   * When this peer campaigns (see take()), its vote and term then, and the peers ranked before it
   * (whose campaigns it waits for).
   */
  private turn: { at: number; vote: PeerId | null; term: number; ahead: readonly PeerId[] } | null = null;

  constructor(private readonly node: TurnsHost) {}

  /**
   * Our leader departed, or the candidate we voted for did: campaign in the order the departed
   * leader ranked its successors (those still here), a heartbeat apart, so that they do not split
   * the vote; a peer it did not rank waits a whole election timeout. The turn outlives a reset of
   * the election timer, until a leader is heard, this peer votes for someone else, or a later term
   * shows someone else campaigning (if that candidate departs too, its notice gives a new turn).
   */
  take(ranked: readonly PeerId[], pause = 0): void {
    const { node } = this;
    if (this.liveCandidate(node.term)) return; // someone still here already stands: our timer is the fallback
    const here = ranked.filter((p) => p === node.id || !node.departures.has(p));
    const rank = here.indexOf(node.id);
    if (rank < 0) {
      node.campaignWithin(null);
      return;
    }
    const wait = pause + rank * node.config.heartbeatMs;
    node.campaignWithin(wait);
    this.turn = { at: node.now + wait, vote: node.vote, term: node.term, ahead: here.slice(0, rank) };
  }

  /** The transport reported `id`'s process stopped (any peer): it is left out of the turns for a while. */
  notePeerGone(id: PeerId): void {
    const { node } = this;
    for (const [peer, at] of this.goneAt) if (node.now - at > 2 * node.config.electionTimeoutMs) this.goneAt.delete(peer);
    this.goneAt.set(id, node.now);
  }

  /** The transport reports `id` up again: a process runs under that identity (a tab adopted it), so it takes turns again. */
  notePeerBack(id: PeerId): void {
    this.goneAt.delete(id);
  }

  /**
   * Our leader's process stopped without a notice (a crashed tab, seen by the transport: see
   * RaftEngine.peerGone). Its lease no longer holds, and the voters still connected campaign in
   * turn, ranked by id, as after a departure without successors. The first waits a quarter
   * heartbeat, so the others hear of the loss too before its PreVote asks them: one still under
   * the lease would ignore it, and the round would wait an election timeout.
   */
  onLeaderGone(leader: PeerId): void {
    const { node } = this;
    this.leaderGoneTurns++;
    node.forgetLeader();
    // It won its term by asking for votes: not a candidate still standing (see liveCandidate).
    if (this.candidate?.peer === leader) this.candidate = null;
    const connected = new Set(node.connectedPeers());
    const ranked = node.membership.voters().filter((p) => p === node.id || (p !== leader && connected.has(p) && !this.goneAt.has(p))).sort();
    this.take(ranked, node.config.heartbeatMs / 4);
  }

  /**
   * A peer asked for votes in `term` (a real RequestVote, answered or not): while it is still here,
   * a successor turn for that term or an earlier one would only split the vote.
   */
  noteCandidate(from: PeerId, term: number): void {
    if (this.candidate === null || term >= this.candidate.term) this.candidate = { peer: from, term };
  }

  /**
   * This peer granted `from` a pre-vote: when `from` is ranked before it in its turn, `from` is
   * campaigning as the ranking intended. Campaigning a heartbeat later anyway would split the vote
   * whenever the pre-vote took longer than a heartbeat to arrive (found by the tabs scenario: the two
   * voters left after three tabs closed at once split two terms in a row and missed the bound). The
   * turn is given up; a full election timeout remains the fallback should `from` not go on.
   */
  notePreVoteGranted(from: PeerId): void {
    const { node } = this;
    if (this.turn === null || !this.turn.ahead.includes(from) || node.role !== 'follower') return;
    this.turn = null;
    node.resetElectionTimer();
  }

  /** At every tick: the turn ends once it is moot, or campaigns when it comes. */
  tick(): void {
    const { node } = this;
    const turn = this.turn;
    if (turn === null) return;
    const votedElsewhere = node.vote !== null && node.vote !== turn.vote && node.vote !== node.id;
    if (node.leaderId !== null || node.role === 'leader' || votedElsewhere || node.term > turn.term || this.liveCandidate(turn.term)) this.turn = null;
    else if (node.now >= turn.at && node.role === 'follower') {
      this.turn = null;
      node.campaignWithin(0);
    }
  }

  private liveCandidate(term: number): boolean {
    const c = this.candidate;
    return c !== null && c.term >= term && c.peer !== this.node.id && !this.node.departures.has(c.peer);
  }
}
