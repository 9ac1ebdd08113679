// What RaftNode's helpers may see of it: small capability interfaces, each implemented by RaftNode.
// A helper never takes RaftNode itself: it declares, next to itself, one named interface listing
// exactly the members it uses (picked from these, plus the sibling helpers it calls), and RaftNode
// implements that interface. So helpers do not import raft-node.ts, and the compiler shows what
// each one touches.
import type { InjectedBugs, RaftConfig } from '../config';
import type { Message } from '../messages';
import type { LogEntry, PeerId, Role, Snapshot } from '../types';
import type { Refusals } from './bounds';
import type { DepartureBook } from './departures';
import type { MembershipTracker } from './membership';
import type { Outbox } from './outbox';
import type { RaftLog } from './raft-log';
import type { UnacknowledgedEntries } from './unacknowledged-entries';

/** The state every role works on: identity, log, configuration, term and commit index, output. */
export interface EngineCore {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly bugs: InjectedBugs;
  readonly log: RaftLog;
  readonly membership: MembershipTracker;
  readonly outbox: Outbox;
  /** Peers that departed for good, with their final log positions. */
  readonly departures: DepartureBook;
  /** Entries held but never acknowledged (kept from a stale append): not part of this peer's departure position. */
  readonly unacknowledged: UnacknowledgedEntries;
  /** What the wire limits made this engine refuse (counted). */
  readonly refusals: Refusals;
  /** currentTerm (Raft Fig. 2): the latest term this peer has seen. */
  readonly term: number;
  /** commitIndex (Raft Fig. 2): the highest log index known to be committed. */
  readonly commit: number;
  /** Time of the input being processed. */
  readonly now: number;
  /** Highest log index this peer's storage has acknowledged. */
  persistedIndex(): number;
  /** Append entries to the log, the membership view and the next persist batch. */
  appendToLog(entries: LogEntry[]): void;
  /** Raise the commit index (never lowers it). */
  advanceCommit(index: number): void;
  send(to: PeerId, message: Message): void;
  /** The voters that count for a quorum now: the configuration's voters minus departed ones this log covers. */
  quorumVoters(): PeerId[];
  /** The voters whose votes count in an election in `term`: as quorumVoters, but a departed voter that reached `term` still counts. */
  electionVoters(term: number): PeerId[];
}

/** Changes to the log other than appending: a follower's conflict truncation (§5.3) and installing a fetched snapshot (§7). */
export interface LogRepair {
  /** Drop entries >= from from the log, membership view, persist batch and durability tracking. */
  truncateLog(from: number): void;
  /** Replace (or compact) the log with a snapshot fetched by catch-up; persisted atomically. */
  installSnapshot(snapshot: Snapshot): void;
}

/** Connectivity as the transport last reported it. */
export interface PeerDirectory {
  /** Unknown peers count as up. */
  isPeerUp(id: PeerId): boolean;
  /** Peers the transport reported up (and not down since). */
  reportedPeers(): PeerId[];
  /** Members and reported peers, minus those reported down. */
  connectedPeers(): PeerId[];
}

/** Role state: readable by helpers, changed only by RaftNode's transitions (RoleTransitions). */
export interface RoleView {
  readonly role: Role;
  /** The leader of the current term as far as this peer knows (itself when leading), or null. */
  readonly leaderId: PeerId | null;
  /** votedFor (Raft Fig. 2): the candidate this peer voted for in `term`, or null. */
  readonly vote: PeerId | null;
  /** Heard from a live leader (or is the leader) within the minimum election timeout (thesis §4.2.3). */
  inLease(): boolean;
}

/** The role transitions (Raft Fig. 2 "Rules for Servers"; pre-vote: thesis §9.6). All live in RaftNode. */
export interface RoleTransitions {
  /**
   * Fig. 2: a message (or notice) carrying a term above ours makes this peer adopt it and become a
   * follower, of `leader` when the message came from that term's leader. Returns whether it did.
   */
  adoptTerm(term: number, leader: PeerId | null): boolean;
  becomeFollower(term: number, leader: PeerId | null): void;
  becomePreCandidate(): void;
  becomeCandidate(): void;
  becomeLeader(): void;
}

/** The randomized election timer (§5.2). */
export interface ElectionTimer {
  /** A fresh randomized timeout from now. */
  resetElectionTimer(): void;
  /** Campaign no later than `delay` ms from now (null: a whole randomized timeout), keeping an earlier deadline. */
  campaignWithin(delay: number | null): void;
}
