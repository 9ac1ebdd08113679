// The public Group API. Implemented by GroupClient (core/host) for in-process groups and by
// createGroup() in the `meshraft` package for browsers and Node.
import type { PeerId, RaftStatus } from './types';

export type Consistency = 'strong' | 'weak';

/**
 * `group.status`: a new object whenever anything in it changes (safe for useSyncExternalStore).
 * The engine's RaftStatus without `lastIndex`, as the calling peer sees it: `applied` is what its
 * state machine applied, and a peer that is `removed` (it left, or the leader auto-removed it) is
 * re-joined by a browser tab under a fresh peer id on its own.
 */
export interface GroupStatus extends Omit<RaftStatus, 'lastIndex' | 'departed' | 'priorVoters'> {
  /** Members that announced a graceful departure (a tab closed) and are not yet removed from the configuration. */
  departed?: readonly PeerId[];
  /** As RaftStatus.priorVoters: voters of configurations `members` may not have replaced yet. */
  priorVoters?: readonly PeerId[];
  /** True once the group is closed; its operations then fail with ClosedError. */
  closed: boolean;
  /**
   * What other connected peers last reported about themselves (runtime gossip over the mesh;
   * empty for in-process groups). Never used for Raft decisions; a starting tab reads `pristine` and
   * `frozen` to tell whether a peer in the room runs a group (docs/tab-lifecycle.md, "Founding").
   */
  peers?: Readonly<Record<PeerId, PeerView>>;
}

/** A peer's self-reported status, as gossiped to the others. */
export type PeerView = Pick<RaftStatus, 'role' | 'term' | 'committed' | 'applied' | 'online' | 'catchUp'> & {
  /**
   * True while the peer holds nothing and belongs to no group yet: a new tab of a profile with no
   * local data, whose engine has no log, term or members. Such a peer cannot be the group a new tab
   * should wait for (see docs/tab-lifecycle.md, "Founding"). Absent: not pristine, or not said.
   */
  pristine?: true;
  /**
   * True while the peer runs no group and waits for one to be re-founded or to answer its join:
   * its engine reports itself frozen (`status.frozen`: every voter of its configuration departed,
   * and no departed leader named it), or it holds nothing of the group (a new tab, no log, no
   * members) yet has heard of it (a departed voter's notice moved its term, so it is no longer
   * pristine). A room holding only such peers does not keep the profile that holds the
   * configuration's last departure from re-founding (RoomEvidence 'frozen'). Absent: not frozen, or
   * not said.
   */
  frozen?: true;
};

export interface IndexRange {
  /** First log index of the batch (inclusive). */
  start: number;
  /** Last log index of the batch (inclusive); end - start + 1 === number of commands. */
  end: number;
}

/**
 * What `execute` resolves with: where the command landed in the log and what the state machine's
 * `apply` returned for it on this peer (the calling one).
 *
 * `result` is undefined when apply returned nothing, threw, or the command did not decode, and in one
 * rare case: this peer skipped the entry because a snapshot covering it was installed before it
 * applied the entry itself (it fell far behind while the command was in flight). Apply results are
 * not kept in snapshots, so the result is unknown then. A state machine that always returns a value
 * can read undefined as "committed, outcome unknown here" and query the state.
 */
export interface ExecuteResult<R = unknown> {
  /** Log index of the command's (single) application. */
  index: number;
  result: R | undefined;
}

/** What `executeMany` resolves with: the batch's range and `results[i]` for `commands[i]` (see ExecuteResult). */
export interface ExecuteManyResult<R = unknown> extends IndexRange {
  results: Array<R | undefined>;
}

export interface QueryResult<QR> {
  result: QR;
  /** The applied index the query was answered at. */
  position: number;
}

export interface ExecuteOptions {
  /** Give up after this long (default: config.forwardTimeoutMs x 2). */
  timeoutMs?: number;
}

export interface GroupWaiters {
  /** Resolves when the peer is online (knows a leader, is not catching up). */
  online(): Promise<void>;
  /** Resolves at the next leader change (including to/from null). */
  leaderChanged(): Promise<PeerId | null>;
  /** Resolves once the local applied index reaches `index`. */
  committed(index: number): Promise<void>;
}

/**
 * A replicated state machine group as seen by one peer. `R` is the return type of the state
 * machine's `apply` (StateMachine<Cmd, Q, R, QR>); it is last so that existing three-argument uses
 * keep compiling (R is then unknown).
 */
export interface Group<Cmd = unknown, Q = unknown, QR = unknown, R = unknown> {
  readonly peerId: PeerId;
  readonly status: GroupStatus;
  readonly when: GroupWaiters;
  /**
   * Resolves once the command is committed and applied locally, with its log index and what `apply`
   * returned for it on this peer. A retry of the same call is applied once and sees that one result.
   */
  execute(command: Cmd, options?: ExecuteOptions): Promise<ExecuteResult<R>>;
  /** Commits all commands at contiguous indices; `results[i]` is apply's answer to `commands[i]`. */
  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>>;
  query(query: Q, consistency?: Consistency, options?: ExecuteOptions): Promise<QueryResult<QR>>;
  /** Calls `listener` after any status change or applied entry; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  transferLeadership(to?: PeerId): Promise<void>;
  close(): Promise<void>;
}
