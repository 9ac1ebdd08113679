// Contract of the multi-peer catch-up scheduler (docs/architecture.md, "Catch-up").
// A CatchUpSession is sans-IO like the engine: the engine creates one when its log has a gap
// (or is behind the leader's compaction point), feeds it messages, ticks and peer events, and
// drains its outbox (requests to send) and its in-order output (entries / a snapshot to install).
import type { Envelope, Message } from '../messages';
import type { CatchUpProgress, LogEntry, PeerId, Snapshot, SnapshotMeta } from '../types';

export interface CatchUpSessionOptions {
  self: PeerId;
  /** Current leader: asked last (it is the busiest peer). */
  leader: PeerId | null;
  /** Connected peers that may serve (the leader included when connected). */
  peers: PeerId[];
  /** First missing index (local last index + 1, or 1). */
  from: number;
  /** Last index to fetch (the leader's commit index when the gap was seen); may grow via extendTarget. */
  to: number;
  /** Local snapshot index: entries <= it are not needed. */
  localSnapshotIndex: number;
  /**
   * Term of the local entry (or snapshot) at max(from, localSnapshotIndex + 1) - 1, 0 before index 1.
   * The leader's buffered entries must chain onto it (the AppendEntries consistency check, §5.3).
   */
  prevTerm: number;
  /**
   * Entries per FetchEntriesRequest at most (config.catchUpBatchSize). Each peer's chunk size starts
   * here, is halved by each of its timeouts and doubled back after fast answers (chunk-sizes.ts), and
   * stays within a byte budget once the average entry size is known.
   */
  batchSize: number;
  /**
   * Average wire size (bytes, entry-size.ts) of the entries the requester already knows, such as the
   * latest ones of its own log: bounds the first chunks by the byte budget before any answer has
   * told the size (chunk-sizes.ts). Absent: the first chunks are small probes.
   */
  entryBytesHint?: number;
  /** A request unanswered this long drops that peer's availability, re-asks it, and halves its chunk size. */
  requestTimeoutMs: number;
  /** Bytes per FetchSnapshotRequest. */
  snapshotChunkBytes: number;
  /** First request id to use (ids must not collide with the engine's other requests). */
  firstRequestId: number;
  now: number;
}

/** What the session hands back to the engine, strictly in log order. */
export type CatchUpOutput =
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'entries'; entries: LogEntry[] };

export interface CatchUpSessionApi {
  /** Ask every peer for its availability; returns nothing (requests go to the outbox). */
  start(now: number): void;
  /** Availability / FetchEntries / FetchSnapshot responses; anything else is ignored. Never throws. */
  receive(from: PeerId, message: Message, now: number): void;
  tick(now: number): void;
  peerUp(id: PeerId, now: number): void;
  peerDown(id: PeerId, now: number): void;
  /** The leader changed. */
  setLeader(id: PeerId | null): void;
  /** The leader's commit moved: fetch up to here too. */
  extendTarget(to: number): void;
  /**
   * Entries of one AppendEntries the leader sent meanwhile, contiguous and following an entry of
   * term `prevTerm` (the message's prevLogTerm): kept and released in order after the gap before
   * them is filled. Entries may overlap or duplicate; later ones of the same index replace earlier
   * ones. They are released only where they chain onto the output before them and agree with the
   * committed entries fetched for the same indices; otherwise they are dropped and counted.
   */
  bufferFromLeader(entries: LogEntry[], prevTerm: number): void;
  /** Requests to send now. */
  takeOutbox(): Envelope[];
  /** Contiguous output ready to append/install, in order. */
  takeOutput(): CatchUpOutput[];
  /** True once everything up to `to` has been output. */
  readonly done: boolean;
  progress(): CatchUpProgress;
  /** Counters for tests and benchmarks. */
  stats(): CatchUpStats;
}

export interface CatchUpStats {
  requestsSent: number;
  availabilityRequests: number;
  entriesReceived: number;
  bytesReceived: number;
  /** Chunks served, per peer. */
  chunksByPeer: Record<PeerId, number>;
  timeouts: number;
  /** Requests sent a second time, unanswered for several times the peer's slowest recent fetch answer. */
  resends: number;
  ignoredReplies: number;
  /** Entry answers that arrived after their request timed out and still filled part of the gap. */
  lateAnswers: number;
  /** Buffered leader entries dropped because they did not chain onto the output (a deposed leader's). */
  leaderEntriesDropped: number;
}

export type { SnapshotMeta };
