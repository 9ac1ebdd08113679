// Quorum arithmetic, pure functions. A quorum is always a strict majority of the VOTERS of the
// current membership: abstentions never shrink the denominator (that would let two disjoint
// minorities each elect a leader in the same term).
import type { VoteAnswer } from '../messages';
import type { PeerId } from '../types';

/** Size of a strict majority of `voterCount` voters (0 voters: no quorum is possible). */
export function quorumSize(voterCount: number): number {
  return voterCount === 0 ? Infinity : Math.floor(voterCount / 2) + 1;
}

/**
 * The highest value that at least a majority of voters have reached (e.g. the commit candidate
 * from match indexes, or the confirmed heartbeat round). Voters missing from `valueOf` count as 0.
 */
export function quorumValue(voters: readonly PeerId[], valueOf: (id: PeerId) => number): number {
  if (voters.length === 0) return 0;
  const values = voters.map(valueOf).sort((a, b) => b - a);
  return values[quorumSize(voters.length) - 1];
}

export type ElectionOutcome = 'won' | 'lost' | 'pending';

/**
 * Tally of an election among `voters`. Only voters' answers count; 'abstained' is neither for nor
 * against. Lost once a majority denied (the brief's early return to follower).
 */
export function tallyVotes(voters: readonly PeerId[], answers: ReadonlyMap<PeerId, VoteAnswer>): ElectionOutcome {
  const need = quorumSize(voters.length);
  let granted = 0;
  let denied = 0;
  for (const voter of voters) {
    const answer = answers.get(voter);
    if (answer === 'granted') granted++;
    else if (answer === 'denied') denied++;
  }
  if (granted >= need) return 'won';
  if (denied >= need) return 'lost';
  return 'pending';
}

/** Number of voters for which `ok` holds is a majority. */
export function hasQuorum(voters: readonly PeerId[], ok: (id: PeerId) => boolean): boolean {
  let count = 0;
  for (const voter of voters) if (ok(voter)) count++;
  return count >= quorumSize(voters.length);
}
