// The slice of RaftNode's state that the role helpers (leader.ts, follower.ts) work on.
import type { InjectedBugs, RaftConfig } from '../config';
import type { Message } from '../messages';
import type { LogEntry, PeerId } from '../types';
import type { Refusals } from './bounds';
import type { DepartureBook } from './departures';
import type { MembershipTracker } from './membership';
import type { Outbox } from './outbox';
import type { RaftLog } from './raft-log';

export interface EngineCore {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly bugs: InjectedBugs;
  readonly log: RaftLog;
  readonly membership: MembershipTracker;
  readonly outbox: Outbox;
  /** Peers that departed for good, with their final log positions. */
  readonly departures: DepartureBook;
  /** What the wire limits made this engine refuse (counted). */
  readonly refusals: Refusals;
  readonly term: number;
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
}
