// Election rules as pure functions: the randomized timeout (§5.2), and how a peer answers a
// PreVote (thesis §9.6) or RequestVote (§5.2, §5.4.1), including the leader-lease rule that
// keeps a rejoining peer from disrupting a healthy leader (thesis §4.2.3).
import type { RaftConfig } from '../config';
import type { VoteAnswer, VoteRequest } from '../messages';
import type { LeadershipPreference, PeerId, Random } from '../types';

/** Election timeout multiplier: a reluctant peer waits `factor` times longer (at least 1). */
export function reluctanceFactor(preference: LeadershipPreference): number {
  if (typeof preference === 'object') return Math.max(1, preference.reluctant);
  return 1;
}

/** A fresh timeout in [timeout, timeout + jitter) x reluctance, plus the bootstrap delay on the first one. */
export function randomizedElectionTimeout(
  config: RaftConfig,
  preference: LeadershipPreference,
  random: Random,
  first: boolean,
): number {
  const base = (config.electionTimeoutMs + random() * config.electionJitterMs) * reluctanceFactor(preference);
  return base + (first ? config.bootstrapDelayMs : 0);
}

export interface VoterView {
  /** This peer may vote: not an observer, not removed (whether it is a voter in its own view does not matter). */
  canVote: boolean;
  currentTerm: number;
  votedFor: PeerId | null;
  /** Heard from a live leader (or is the leader) within the minimum election timeout. */
  inLease: boolean;
  /** The candidate's log is at least as up to date as ours (§5.4.1). */
  candidateUpToDate: boolean;
}

/**
 * How to answer a vote request. For a RequestVote of a higher term the caller first checks the lease
 * (answer 'ignore' leaves its term alone) and only then adopts the term and asks again. 'ignore' drops it without reply: the leader-lease rule.
 */
export function answerVote(from: PeerId, request: VoteRequest, view: VoterView): VoteAnswer | 'ignore' {
  // A stale candidate learns our term from the denial (and, for a pre-vote, rejoins as follower).
  if (request.term < view.currentTerm) return 'denied';
  if (request.type === 'PreVote' && request.term === view.currentTerm) return 'denied';
  if (view.inLease && !request.transfer) return 'ignore';
  if (!view.canVote) return 'abstained';
  if (request.type === 'PreVote') {
    // A pre-vote records nothing; it only predicts whether a real vote would be granted.
    return view.candidateUpToDate ? 'granted' : 'denied';
  }
  const free = view.votedFor === null || view.votedFor === from;
  return free && view.candidateUpToDate ? 'granted' : 'denied';
}
