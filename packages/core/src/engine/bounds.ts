// The engine's side of the wire limits (codec/limits.ts): it never creates a term, index or client
// sequence number the codec would refuse to carry, and it refuses to let one message push its term
// toward the end of the term space. Everything refused here is counted (RaftNode.refusals).
//
// Safety: every rule here only refuses. Not campaigning, not appending and answering a proposal
// 'too-large' never break a Raft invariant. Dropping a message whose term we decline to adopt is the
// same as losing it on the wire, which Raft tolerates; adopting a higher term is always safe, so
// declining to is a pure liveness choice, made only where an honest peer never needs it (below).
import { CODEC_LIMITS } from '../codec/limits';
import type { Message } from '../messages';
import type { PeerId } from '../types';
import type { MembershipTracker } from './membership';

/** What the engine refused so far (tests and diagnostics). */
export interface Refusals {
  /** Elections not started: the next term would pass CODEC_LIMITS.maxTerm (or the log has no room for a leader's first entries). */
  campaigns: number;
  /** Proposals answered 'too-large': client seq + n - 1 would pass maxSeq, or the log would pass maxIndex. */
  proposals: number;
  /** Leader appends not made (configuration changes) because the log would pass maxIndex. */
  appends: number;
  /** Messages dropped because their term would raise ours too far at once (see admitsTerm). */
  termJumps: number;
}

export const emptyRefusals = (): Refusals => ({ campaigns: 0, proposals: 0, appends: 0, termJumps: 0 });

/**
 * In the upper half of the term space, how far one message from a peer that is not a voter of our
 * configuration may raise our term. Honest terms never get there: they grow by one per election,
 * and 2^47 elections take thousands of years.
 */
export const UPPER_TERM_STEP = 16;

/** The highest term a message may carry for us to consider it at all (terms are bounded on the wire too). */
export function messageTerm(m: Message): number {
  let term = 'term' in m ? m.term : 0;
  if ('senderTerm' in m) term = Math.max(term, m.senderTerm);
  return term;
}

/**
 * Term poisoning: one frame with a huge term would be adopted by the peer that gets it, passed on
 * to every other peer in the next message, and leave the group no term to elect with. So a term in
 * the upper half of the term space (above maxTerm / 2) that is more than UPPER_TERM_STEP above ours
 * is adopted only from a voter of our configuration. Voters are trusted as Raft trusts its members
 * (it tolerates crashes, not lies), and by induction every term a voter holds was admitted under
 * this rule or reached by elections, one term each; so any term in the group stays at most
 * maxTerm / 2 plus UPPER_TERM_STEP per message from outside the voters plus one per election.
 * What is refused: nothing an honest group ever sends (its terms stay far below maxTerm / 2). A peer
 * outside the voters (a tab still joining) that was pushed up there can no longer raise the voters'
 * terms, and learns the group's term only when its own term is close; it stays out, the group does not.
 */
export function admitsTerm(term: number, current: number, from: PeerId, membership: MembershipTracker): boolean {
  if (term <= current) return true;
  if (term > CODEC_LIMITS.maxTerm) return false;
  if (term <= CODEC_LIMITS.maxTerm / 2 || term - current <= UPPER_TERM_STEP) return true;
  return membership.isVoter(from);
}

/** A real election needs term + 1, and a leader's first entries (configuration, no-op) need room in the log. */
export function mayCampaign(term: number, lastIndex: number): boolean {
  return term + 1 <= CODEC_LIMITS.maxTerm && lastIndex + 2 <= CODEC_LIMITS.maxIndex;
}

/** `count` more entries after `lastIndex` stay within maxIndex. */
export function roomInLog(lastIndex: number, count: number): boolean {
  return lastIndex + count <= CODEC_LIMITS.maxIndex;
}

/** The sequence numbers seq .. seq + count - 1 of a tagged proposal stay within maxSeq. */
export function seqFits(seq: number, count: number): boolean {
  return seq + count - 1 <= CODEC_LIMITS.maxSeq;
}
