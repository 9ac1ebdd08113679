// The public Group API (DESIGN §4). Implemented by GroupClient (core/host) for in-process
// groups and by createGroup() in the `meshraft` package for browsers and Node.
import type { CatchUpProgress, Membership, PeerId, Role } from './types';

export type Consistency = 'strong' | 'weak';

/** `group.status`: a new object whenever anything in it changes (safe for useSyncExternalStore). */
export interface GroupStatus {
  peerId: PeerId;
  role: Role;
  term: number;
  leader: PeerId | null;
  committed: number;
  applied: number;
  online: boolean;
  members: Membership;
  catchUp: CatchUpProgress | null;
  closed: boolean;
  /**
   * Issue 3 (additive): true while this peer is removed from the group's membership (it left, or
   * the leader auto-removed it). A browser tab then re-joins under a fresh peer id on its own.
   */
  removed?: boolean;
  /**
   * What other connected peers last reported about themselves (runtime gossip over the mesh;
   * empty for in-process groups). For dashboards only: never used for Raft decisions.
   */
  peers?: Readonly<Record<PeerId, PeerView>>;
}

/** A peer's self-reported status, as gossiped to the others. */
export interface PeerView {
  role: Role;
  term: number;
  committed: number;
  applied: number;
  online: boolean;
  catchUp: CatchUpProgress | null;
}

export interface IndexRange {
  /** First log index of the batch (inclusive). */
  start: number;
  /** Last log index of the batch (inclusive); end - start + 1 === number of commands. */
  end: number;
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

export interface Group<Cmd = unknown, Q = unknown, QR = unknown> {
  readonly peerId: PeerId;
  readonly status: GroupStatus;
  readonly when: GroupWaiters;
  /** Resolves with the command's log index once committed and applied locally. */
  execute(command: Cmd, options?: ExecuteOptions): Promise<number>;
  /** Commits all commands at contiguous indices. */
  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<IndexRange>;
  query(query: Q, consistency?: Consistency, options?: ExecuteOptions): Promise<QueryResult<QR>>;
  /** Calls `listener` after any status change or applied entry; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  transferLeadership(to?: PeerId): Promise<void>;
  close(): Promise<void>;
}
