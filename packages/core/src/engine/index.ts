// Public exports of engine/: the RaftNode engine (implements RaftEngine from ./api) and the pure
// helpers other packages may reuse (quorum arithmetic, the in-memory log).
export { RaftNode } from './raft-node';
export { RaftLog, entryBytes } from './raft-log';
export { quorumSize, quorumValue, tallyVotes, hasQuorum, type ElectionOutcome } from './quorum';
export { randomizedElectionTimeout, reluctanceFactor } from './election';
export { MembershipTracker, sameMembership, copyMembership, emptyMembership } from './membership';
