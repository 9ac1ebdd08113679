// Elections seen from one peer: campaigning (pre-vote, thesis §9.6, then a real vote, §5.2),
// answering vote requests (with the leader-lease rule, thesis §4.2.3) and counting answers.
// Functions over RaftNode so raft-node.ts stays about inputs and outputs.
import type { VoteAnswer, VoteRequest, VoteResponse } from '../messages';
import type { PeerId } from '../types';
import { mayCampaign, roomInLog } from './bounds';
import { answerVote } from './election';
import { tallyVotes } from './quorum';
import type { RaftNode } from './raft-node';

export function campaign(node: RaftNode, kind: 'pre' | 'real', transfer: boolean): void {
  if (!mayCampaign(node.term, node.log.lastIndex())) {
    // The next term (or a leader's first entries) would not fit the wire limits: never start an
    // election that could not be carried (bounds.ts). The peer stays a follower.
    node.refusals.campaigns++;
    node.resetElectionTimer();
    return;
  }
  node.leaderId = null;
  node.votes = new Map([[node.id, 'granted']]);
  node.resetElectionTimer();
  let request: VoteRequest;
  if (kind === 'pre') {
    // Thesis §9.6: ask first whether we could win, without touching anyone's term.
    node.role = 'pre-candidate';
    request = { type: 'PreVote', term: node.term + 1, lastLogIndex: node.log.lastIndex(), lastLogTerm: node.log.lastTerm() };
  } else {
    node.role = 'candidate';
    node.term += 1;
    node.vote = node.id;
    node.forwards.clearAvoid();
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
export function resendVoteRequests(node: RaftNode): void {
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

/** Won, lost or still open. Departed voters this candidate's log covers no longer count (departures.ts). */
export function checkElection(node: RaftNode): void {
  const outcome = tallyVotes(node.quorumVoters(), node.votes);
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

export function onVoteRequest(node: RaftNode, from: PeerId, m: VoteRequest): void {
  // A voter repairing a gap behind a leader abstains: its log is mid-repair, so it takes no side.
  // Abstaining never counts as a grant, so safety is unchanged. A voter fetching toward departed
  // voters' claims has no leader and must vote, or no one could be elected. Read before adopting
  // the candidate's term, which ends the session.
  const lagging = node.catchUp.active && !node.catchUp.leaderlessActive;
  if (m.type === 'RequestVote' && m.term > node.term) {
    // Leader lease (thesis §4.2.3): a live leader's followers ignore disruptive candidates.
    if (node.inLease() && !m.transfer) return;
    node.becomeFollower(m.term, null);
  }
  const answer = answerVote(from, m, {
    canVote: node.canVote() && !lagging,
    currentTerm: node.term,
    votedFor: node.vote,
    inLease: node.inLease(),
    candidateUpToDate: node.log.isUpToDate(m.lastLogIndex, m.lastLogTerm),
  });
  if (answer === 'ignore') return;
  if (m.type === 'RequestVote' && answer === 'granted') {
    node.vote = from; // persisted in the same Ready that carries the response
    node.resetElectionTimer();
  }
  const response: VoteResponse =
    m.type === 'PreVote'
      ? { type: 'PreVoteResponse', term: answer === 'denied' ? node.term : m.term, vote: answer }
      : { type: 'RequestVoteResponse', term: node.term, vote: answer };
  node.send(from, response);
}

export function onVoteResponse(node: RaftNode, from: PeerId, m: VoteResponse): void {
  if (m.type === 'PreVoteResponse') {
    // Grants and abstentions echo the proposed term; a denial carries the voter's own term.
    if (m.vote === 'denied' && m.term > node.term) node.becomeFollower(m.term, null);
    else if (node.role === 'pre-candidate' && (m.term === node.term + 1 || m.vote === 'denied')) recordVote(node, from, m.vote);
    return;
  }
  if (m.term > node.term) node.becomeFollower(m.term, null);
  else if (m.term === node.term && node.role === 'candidate') recordVote(node, from, m.vote);
}

function recordVote(node: RaftNode, from: PeerId, answer: VoteAnswer): void {
  if (!node.membership.isVoter(from)) return;
  node.votes.set(from, answer);
  checkElection(node);
}
