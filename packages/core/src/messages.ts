// The wire protocol between peers. Every message crosses the codec (codec/), which validates
// each field on decode, so the engine only ever sees well-formed values of these shapes.
import type { ClientTag, LogEntry, PeerId, SnapshotMeta } from './types';

/** A vote answer. `abstained`: the voter takes no side (observer/learner, or lagging voter). */
export type VoteAnswer = 'granted' | 'denied' | 'abstained';

// ---------- elections (§5.2, pre-vote §9.6 of the thesis, TimeoutNow §3.10) ----------

export interface VoteRequest {
  type: 'PreVote' | 'RequestVote';
  /** For PreVote: the term the sender would campaign in (its term + 1), not yet adopted. */
  term: number;
  lastLogIndex: number;
  lastLogTerm: number;
  /** Set when campaigning after TimeoutNow: voters must not ignore it because they heard a leader. */
  transfer?: boolean;
}

export interface VoteResponse {
  type: 'PreVoteResponse' | 'RequestVoteResponse';
  term: number;
  vote: VoteAnswer;
}

export interface TimeoutNow {
  type: 'TimeoutNow';
  term: number;
}

/**
 * A peer is going away for good (a browser tab closing) and will never vote, acknowledge or send
 * again. `lastIndex`/`lastTerm` is its final log position: everything it ever counted for is at or
 * below it. Peers at least as up to date may leave it out of quorums (engine/departures.ts).
 */
export interface Departure {
  type: 'Departure';
  term: number;
  lastIndex: number;
  lastTerm: number;
  /** The sender was the leader of `term` when it departed. */
  led?: boolean;
  /**
   * Set by a departing leader: the members, best first, that may re-found the group as its only
   * voter should every voter be gone (see RaftNode.maybeSucceed). One acts only when all before it
   * are known departed, so two never both do.
   */
  successors?: PeerId[];
  /** Set when a peer relays another peer's notice: the one that departed. Absent: the sender itself. */
  peer?: PeerId;
  /**
   * The voters the departed peer knew had departed before it (DeparturePlan.departedBefore; empty
   * when none). Every profile holding the notices of a configuration's voters reads the same lists,
   * so they agree on which device holds its last departure (lifecycle/founding.ts). Absent in a
   * notice of an older version.
   */
  knew?: PeerId[];
}

// ---------- replication (§5.3) ----------

export interface AppendEntries {
  type: 'AppendEntries';
  term: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}

export interface AppendEntriesResponse {
  type: 'AppendEntriesResponse';
  term: number;
  success: boolean;
  /** On success: index of the last entry known to match the leader. */
  matchIndex: number;
  /** On failure: first index the leader should retry from (conflict hint). */
  conflictIndex?: number;
  conflictTerm?: number;
  /** The sender's last log index (helps the leader back off fast and spot lagging followers). */
  lastIndex: number;
  /** The sender is catching up and has buffered the entries instead of appending them. */
  catchingUp?: boolean;
}

/** Leader liveness + ReadIndex confirmation round (etcd-style heartbeat with context). */
export interface Heartbeat {
  type: 'Heartbeat';
  term: number;
  /** min(leaderCommit, follower's matchIndex): never lets a follower commit unverified entries. */
  commit: number;
  /** Monotonic round id; a response echoes it so the leader knows which read rounds are confirmed. */
  round: number;
}

export interface HeartbeatResponse {
  type: 'HeartbeatResponse';
  term: number;
  round: number;
  lastIndex: number;
}

// ---------- forwarding from followers (exactly-once) ----------

export interface ForwardCommands {
  type: 'ForwardCommands';
  requestId: number;
  /** The first command's tag; command i carries seq = client.seq + i. */
  client: ClientTag;
  commands: Uint8Array[];
}

export type ForwardError = 'not-leader' | 'no-leader' | 'too-large' | 'shutting-down';

export type ForwardCommandsResponse =
  | { type: 'ForwardCommandsResponse'; requestId: number; ok: true; start: number; end: number }
  | { type: 'ForwardCommandsResponse'; requestId: number; ok: false; error: ForwardError; leader?: PeerId };

export interface ReadIndexRequest {
  type: 'ReadIndexRequest';
  requestId: number;
}

export type ReadIndexResponse =
  | { type: 'ReadIndexResponse'; requestId: number; ok: true; index: number }
  | { type: 'ReadIndexResponse'; requestId: number; ok: false; error: ForwardError; leader?: PeerId };

// ---------- multi-peer catch-up ----------

/** "Which committed range can you serve?" */
export interface AvailabilityRequest {
  type: 'AvailabilityRequest';
  requestId: number;
}

export interface AvailabilityResponse {
  type: 'AvailabilityResponse';
  requestId: number;
  /** The sender's current term: a catching-up peer learns of newer terms here too (Fig. 2). */
  senderTerm: number;
  /** First log index still held (snapshotIndex + 1). */
  firstIndex: number;
  /** Highest committed index the sender can serve. */
  committed: number;
  /** Latest snapshot the sender can serve in chunks, if any. */
  snapshot: (SnapshotMeta & { size: number }) | null;
}

export interface FetchEntriesRequest {
  type: 'FetchEntriesRequest';
  requestId: number;
  from: number;
  to: number;
}

export interface FetchEntriesResponse {
  type: 'FetchEntriesResponse';
  requestId: number;
  /** The sender's current term. */
  senderTerm: number;
  /** Possibly empty or shorter than asked; never beyond the sender's commit index. */
  entries: LogEntry[];
}

export interface FetchSnapshotRequest {
  type: 'FetchSnapshotRequest';
  requestId: number;
  /** Identifies the snapshot: its last included index and term. */
  index: number;
  term: number;
  offset: number;
  length: number;
}

export interface FetchSnapshotResponse {
  type: 'FetchSnapshotResponse';
  requestId: number;
  /** The sender's current term (`term` below is the snapshot's). */
  senderTerm: number;
  index: number;
  term: number;
  offset: number;
  /** Empty when the sender no longer holds that snapshot. */
  data: Uint8Array;
  totalSize: number;
  meta: SnapshotMeta | null;
}

// ---------- membership ----------

/** A new peer asks the leader to be added as a learner. */
export interface JoinRequest {
  type: 'JoinRequest';
  requestId: number;
  observer: boolean;
}

/** A peer that is closing asks to be removed (a leader transfers leadership first). */
export interface LeaveRequest {
  type: 'LeaveRequest';
  requestId: number;
}

// ---------- a departed voter's claim that no committed entry covers ----------

/**
 * "Send me the entries of your log right after (lastIndex, lastTerm), up to `upTo`": a peer with no
 * leader whose log falls short of a departed voter's claim, whose missing entries no peer holds as
 * committed (the departed leader's last appends reached nobody else). departures.ts, "log tails".
 */
export interface LogTailRequest {
  type: 'LogTailRequest';
  lastIndex: number;
  lastTerm: number;
  upTo: number;
}

/** The sender's log entries right after (prevLogIndex, prevLogTerm), an entry it holds too; committed or not. */
export interface LogTailResponse {
  type: 'LogTailResponse';
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
}

export type MembershipResponse =
  | { type: 'MembershipResponse'; requestId: number; ok: true; index: number }
  /**
   * 'unconfigured': the answering peer belongs to no group and founds none (no configuration, not
   * even a bootstrap one, and no log): a peer deferring its own bootstrap to it need not wait for it.
   */
  | { type: 'MembershipResponse'; requestId: number; ok: false; error: ForwardError | 'busy' | 'unconfigured'; leader?: PeerId };

export type Message =
  | VoteRequest
  | VoteResponse
  | TimeoutNow
  | Departure
  | AppendEntries
  | AppendEntriesResponse
  | Heartbeat
  | HeartbeatResponse
  | ForwardCommands
  | ForwardCommandsResponse
  | ReadIndexRequest
  | ReadIndexResponse
  | AvailabilityRequest
  | AvailabilityResponse
  | FetchEntriesRequest
  | FetchEntriesResponse
  | FetchSnapshotRequest
  | FetchSnapshotResponse
  | JoinRequest
  | LeaveRequest
  | MembershipResponse
  | LogTailRequest
  | LogTailResponse;

export type MessageType = Message['type'];

/** A message addressed to a peer, as the engine emits it. */
export interface Envelope {
  to: PeerId;
  message: Message;
}
