// Elections seen from one peer: running a campaign (pre-vote, thesis §9.6, then a real vote, §5.2),
// answering vote requests (with the leader-lease rule, thesis §4.2.3) and counting answers. The
// role changes themselves (becomePreCandidate, becomeCandidate, becomeLeader, becomeFollower) are
// RaftNode's; these functions decide when they happen.
import type { VoteAnswer, VoteRequest, VoteResponse } from '../messages';
import type { PeerId } from '../types';
import { mayCampaign, roomInLog } from './bounds';
import type { CatchUpDriver } from './catchup-driver';
import { answerVote } from './election';
import type { ElectionTimer, EngineCore, RoleTransitions, RoleView } from './node-context';
import { tallyVotes } from './quorum';

/** What elections use of RaftNode: the log and configuration, the role state and its transitions, the votes. */
export interface CandidacyHost
  extends Pick<EngineCore, 'id' | 'config' | 'log' | 'membership' | 'departures' | 'refusals' | 'term' | 'now' | 'send' | 'electionVoters'>,
    RoleView,
    RoleTransitions,
    Pick<ElectionTimer, 'resetElectionTimer'> {
  /** Answers to the running campaign, this peer's own grant included (reset by every role transition). */
  readonly votes: Map<PeerId, VoteAnswer>;
  /** The running campaign's request and when to re-send it to voters that have not answered. */
  voteRequest: { request: VoteRequest; resendAt: number } | null;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'leaderlessActive'>;
  canVote(): boolean;
  /** Record a granted RequestVote (votedFor, Fig. 2) and restart the election timer. */
  grantVote(candidate: PeerId): void;
  /** This peer denied a candidate whose log is behind its own (evidence for a stranded learner). */
  noteDeniedOutdatedCandidate(): void;
  /** A peer asked for votes in `term` (successor turns yield to a live candidate). */
  noteCandidate(from: PeerId, term: number): void;
  /** This peer granted `from` a pre-vote (a successor turn yields to a pre-candidate ranked before it). */
  notePreVoteGranted(from: PeerId): void;
}

export function campaign(node: CandidacyHost, kind: 'pre' | 'real', transfer: boolean): void {
  if (!mayCampaign(node.term, node.log.lastIndex())) {
    // The next term (or a leader's first entries) would not fit the wire limits: never start an
    // election that could not be carried (bounds.ts). The peer stays a follower.
    node.refusals.campaigns++;
    node.resetElectionTimer();
    return;
  }
  let request: VoteRequest;
  if (kind === 'pre') {
    // Thesis §9.6: ask first whether we could win, without touching anyone's term.
    node.becomePreCandidate();
    request = { type: 'PreVote', term: node.term + 1, lastLogIndex: node.log.lastIndex(), lastLogTerm: node.log.lastTerm() };
  } else {
    node.becomeCandidate();
    request = { type: 'RequestVote', term: node.term, lastLogIndex: node.log.lastIndex(), lastLogTerm: node.log.lastTerm() };
    if (transfer) request.transfer = true;
  }
  node.voteRequest = { request, resendAt: node.now + node.config.heartbeatMs };
  for (const voter of node.membership.voters()) if (!node.departures.has(voter)) node.send(voter, request);
  checkElection(node);
}

/**
 * Raft retries RPCs that get no answer (§5.1): a candidate asks the voters that have not answered
 * again every heartbeat interval, rather than waiting a whole election timeout when one request or
 * its answer was lost (with two live voters left, one lost request stalled the group for a full
 * round). The same request again is harmless: a voter grants the same candidate again in a term.
 */
export function resendVoteRequests(node: CandidacyHost): void {
  const pending = node.voteRequest;
  if (pending === null || node.now < pending.resendAt) return;
  if (node.role !== 'candidate' && node.role !== 'pre-candidate') {
    node.voteRequest = null;
    return;
  }
  pending.resendAt = node.now + node.config.heartbeatMs;
  for (const voter of node.membership.voters()) {
    if (!node.votes.has(voter) && !node.departures.has(voter)) node.send(voter, pending.request);
  }
}

/**
 * Won, lost or still open. Departed voters this candidate's log covers no longer count, unless they
 * reached the election's term (a pre-vote's is the next one): they may have voted in it before they
 * left (departures.ts).
 */
export function checkElection(node: CandidacyHost): void {
  const electionTerm = node.role === 'pre-candidate' ? node.term + 1 : node.term;
  const outcome = tallyVotes(node.electionVoters(electionTerm), node.votes);
  if (outcome === 'pending' && node.role === 'candidate' && tallyVotes(node.electionVoters(node.term + 1), node.votes) === 'won') {
    // Only departed voters of this term stand between this campaign and a win. They never vote
    // again, so in the next term they are left out: campaign again at once rather than time out.
    campaign(node, 'real', false);
    return;
  }
  if (outcome === 'won') {
    if (node.role === 'pre-candidate') campaign(node, 'real', false);
    else if (!roomInLog(node.log.lastIndex(), 2)) {
      // The log grew while campaigning (a leaderless fetch) and a leader's first entries no longer fit.
      node.refusals.campaigns++;
      node.becomeFollower(node.term, null);
    } else node.becomeLeader();
  } else if (outcome === 'lost') {
    node.becomeFollower(node.term, null);
  }
}

export function onVoteRequest(node: CandidacyHost, from: PeerId, m: VoteRequest): void {
  // A voter repairing a gap behind a leader abstains: its log is mid-repair, so it takes no side.
  // Abstaining never counts as a grant, so safety is unchanged. A voter fetching toward departed
  // voters' claims has no leader and must vote, or no one could be elected. Read before adopting
  // the candidate's term, which ends the session.
  const lagging = node.catchUp.active && !node.catchUp.leaderlessActive;
  if (m.type === 'RequestVote') node.noteCandidate(from, m.term);
  if (m.type === 'RequestVote' && m.term > node.term) {
    // Leader lease (thesis §4.2.3): a live leader's followers ignore disruptive candidates.
    if (node.inLease() && !m.transfer) return;
    node.adoptTerm(m.term, null);
  }
  const candidateUpToDate = node.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
  const answer = answerVote(from, m, {
    canVote: node.canVote() && !lagging,
    currentTerm: node.term,
    votedFor: node.vote,
    inLease: node.inLease(),
    candidateUpToDate,
  });
  if (answer === 'ignore') return;
  if (answer === 'denied' && m.term >= node.term && !candidateUpToDate) node.noteDeniedOutdatedCandidate();
  if (m.type === 'RequestVote' && answer === 'granted') node.grantVote(from); // persisted in the same Ready that carries the response
  if (m.type === 'PreVote' && answer === 'granted') {
    // Two pre-candidates for the same term that grant each other would both stand, each vote for
    // itself and split the vote, and could do so term after term while their timers stay close
    // (found by the tabs scenario: the two voters left after three tabs closed at once). Both sides
    // see both requests, so one fixed order settles it: the one with the greater id steps back and
    // waits for the other's RequestVote. A pre-candidacy holds no vote or term, so stepping back
    // costs nothing; should the other not go on, this peer's election timer stays the fallback.
    if (node.role === 'pre-candidate' && m.term === node.term + 1 && from < node.id && node.membership.isVoter(from)) node.becomeFollower(node.term, null);
    node.notePreVoteGranted(from);
  }
  const response: VoteResponse =
    m.type === 'PreVote'
      ? { type: 'PreVoteResponse', term: answer === 'denied' ? node.term : m.term, vote: answer }
      : { type: 'RequestVoteResponse', term: node.term, vote: answer };
  node.send(from, response);
}

export function onVoteResponse(node: CandidacyHost, from: PeerId, m: VoteResponse): void {
  if (m.type === 'PreVoteResponse') {
    // Grants and abstentions echo the proposed term; a denial carries the voter's own term.
    if (m.vote === 'denied' && m.term > node.term) node.adoptTerm(m.term, null);
    else if (node.role === 'pre-candidate' && (m.term === node.term + 1 || m.vote === 'denied')) recordVote(node, from, m.vote);
    return;
  }
  if (!node.adoptTerm(m.term, null) && m.term === node.term && node.role === 'candidate') recordVote(node, from, m.vote);
}

function recordVote(node: CandidacyHost, from: PeerId, answer: VoteAnswer): void {
  if (!node.membership.isVoter(from)) return;
  node.votes.set(from, answer);
  checkElection(node);
}
