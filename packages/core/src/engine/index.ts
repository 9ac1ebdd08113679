// Public exports of engine/: the RaftNode engine (implements RaftEngine from ./api) and the pure
// helpers other packages may reuse (quorum arithmetic, the in-memory log, membership changes).
export { RaftNode, type RaftNodeInternals } from './raft-node';
export { RaftLog, entryBytes } from './raft-log';
export { quorumSize, quorumValue, tallyVotes, hasQuorum, type ElectionOutcome } from './quorum';
export { randomizedElectionTimeout, reluctanceFactor } from './election';
export {
  MembershipTracker,
  sameMembership,
  copyMembership,
  emptyMembership,
  isMemberOf,
  withLearner,
  withVoter,
  without,
} from './membership';
export { PROMOTION_LAG } from './membership-changes';
export type { CatchUpSessionFactory } from './catchup-driver';
export { UPPER_TERM_STEP, type Refusals } from './bounds';
