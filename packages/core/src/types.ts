// Core data types shared by every meshraft package.
// The engine (RaftNode) is sans-IO: these are the values it takes in and hands out.

/** A peer's stable identity inside a group (one per browser tab or Node process). */
export type PeerId = string;

/**
 * How eager a peer is to lead.
 * - `normal`: campaigns after a randomized election timeout.
 * - `{ reluctant: factor }`: election timeout multiplied by `factor` (>= 1), so it loses races to normal peers.
 * - `observer`: never campaigns, abstains in votes, and is never counted toward a quorum
 *   (it is kept a learner in the membership).
 */
export type LeadershipPreference = 'normal' | { reluctant: number } | 'observer';

/** Raft configuration (membership). Voters count toward quorum; learners only replicate. */
export interface Membership {
  voters: PeerId[];
  learners: PeerId[];
}

/** Identifies a client command for exactly-once application: (clientId, seq). */
export interface ClientTag {
  clientId: string;
  seq: number;
}

interface EntryBase {
  index: number;
  term: number;
}

/** The no-op a new leader appends in its own term (Raft §8, commit rule of §5.4.2). */
export interface NoopEntry extends EntryBase {
  kind: 'noop';
}

/** An application command, opaque bytes encoded by the Group layer's codec. */
export interface CommandEntry extends EntryBase {
  kind: 'command';
  data: Uint8Array;
  /** Present on every command proposed through a Group: used for exactly-once dedup. */
  client?: ClientTag;
}

/** A membership change: the whole new configuration, effective as soon as it is appended (§4.1 of the thesis). */
export interface ConfigEntry extends EntryBase {
  kind: 'config';
  membership: Membership;
}

export type LogEntry = NoopEntry | CommandEntry | ConfigEntry;

/** State that must be durable before any message depending on it leaves the peer (Raft Fig. 2). */
export interface HardState {
  term: number;
  vote: PeerId | null;
  commit: number;
}

/** Metadata of a snapshot: the last index/term it covers and the membership at that point. */
export interface SnapshotMeta {
  index: number;
  term: number;
  membership: Membership;
}

/** A full snapshot: metadata plus the state machine bytes (which include the exactly-once table). */
export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Progress of a running catch-up session, or null when none runs. */
export interface CatchUpProgress {
  /** 0..1 */
  fraction: number;
  /** Index range being fetched (inclusive). */
  from: number;
  to: number;
  entriesFetched: number;
  bytesFetched: number;
  /** Distinct peers that served at least one chunk. */
  peersUsed: number;
  /** 'log' when fetching entries, 'snapshot' when fetching snapshot chunks. */
  phase: 'log' | 'snapshot';
}

/** What the engine reports about itself; the public `group.status` extends it. */
export interface RaftStatus {
  peerId: PeerId;
  role: Role;
  term: number;
  leader: PeerId | null;
  committed: number;
  /** Index of the last entry handed out for application. */
  applied: number;
  lastIndex: number;
  /** True when this peer knows a leader of the current term and is not catching up. */
  online: boolean;
  members: Membership;
  catchUp: CatchUpProgress | null;
  /** True once a committed configuration removed this peer; it no longer takes part. */
  removed?: boolean;
  /** Members that announced a graceful departure and are not yet removed from the configuration. */
  departed?: PeerId[];
  /**
   * Voters of the configurations `members` may not have replaced yet (a membership change past the
   * commit index this peer knows), not in `members`; absent when none. A group whose voters all
   * departed is re-founded only once these departed too (docs/tab-lifecycle.md, "Founding"), so
   * the browser runtime passes on the departures it recorded of them, as of members.
   */
  priorVoters?: PeerId[];
  /**
   * Every voter of the configuration departed (and this peer is not a voter): no leader can ever be
   * elected in it again. The browser runtime then runs the start-up rules again on the tab's own
   * slot, and re-founds the group there under a new identity when they allow it
   * (docs/tab-lifecycle.md, "While a tab runs"); until then the tab stays frozen.
   */
  frozen?: boolean;
}

/** Passed to StateMachine.apply alongside each command. */
export interface ApplyContext {
  index: number;
  term: number;
  /** The (clientId, seq) of the command, when it has one. */
  client?: ClientTag;
}

/**
 * The user's replicated state machine. `apply` must be deterministic, and so must `snapshot`: the
 * same bytes on every peer at the same index (a late peer joins pieces fetched from several).
 * `snapshot`/`restore` let the log be compacted; the exactly-once table is stored by the Group
 * layer next to the user's bytes, so implementations need not handle it.
 */
export interface StateMachine<Cmd = unknown, Q = unknown, R = unknown, QR = unknown> {
  /**
   * Every peer applies every command; what apply returns on the peer that executed the command is
   * what its `execute()` resolves with (`result`). Report a refused command by returning it (e.g.
   * `{ ok: false }`) rather than throwing: a throw leaves the caller with `result: undefined`.
   * apply is synchronous: a promise it returns is not awaited (the next entry applies at once); it
   * is the caller's result as is, and its rejection is counted in the client's `applyErrors`.
   */
  apply(command: Cmd, ctx: ApplyContext): R;
  query(query: Q): QR;
  snapshot?(): Uint8Array;
  /**
   * Replace the state with a snapshot image. May return a promise (e.g. to decode a large image in
   * slices, yielding to the UI thread in between): no entry after the snapshot is applied, and the
   * applied index (which strong queries wait for) does not move, until it resolves. Weak queries
   * meanwhile see whatever query() answers. A restore that throws or rejects stops applying on this peer.
   * `bytes` is a view into the snapshot's buffer, not a copy made for you: do not write to it
   * (keeping it is safe, and keeps that whole buffer in memory).
   */
  restore?(bytes: Uint8Array): void | Promise<void>;
}

/** A seeded source of randomness: returns a float in [0, 1). */
export type Random = () => number;
