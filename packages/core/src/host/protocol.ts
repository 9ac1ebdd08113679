// The message protocol between the two halves of a peer's runtime (docs/architecture.md): EngineHost (engine,
// storage, ticks; a Web Worker in the browser) and GroupClient (the user's state machine; the main
// thread). Every message is a plain structured-clone-able object discriminated by `type`, so
// Worker.postMessage can carry it unchanged. Uint8Array payloads are allowed.
import type { ProposalError } from '../engine/api';
import type { ClientTag, LogEntry, PeerId, RaftStatus, Snapshot } from '../types';

// ---------- client -> host ----------

/** Propose commands (already encoded). Command i carries seq = client.seq + i. */
export interface ProposeRequest {
  type: 'propose';
  requestId: number;
  commands: Uint8Array[];
  client: ClientTag;
}

/** Ask for a linearizable read index (ReadIndex, Raft thesis §6.4). */
export interface ReadRequest {
  type: 'read';
  requestId: number;
}

/** Hand leadership over (to `to`, or to the most caught-up voter). Only meaningful on the leader. */
export interface TransferRequest {
  type: 'transfer';
  requestId: number;
  to?: PeerId;
}

/**
 * The state machine produced a snapshot (compaction), answering a TakeSnapshotRequest.
 * Only `meta.index` (the client's applied index) and `data` (encodeGroupSnapshot bytes) matter:
 * the engine fills in the term and the membership from its log. `data` is the host's from then on
 * (the client keeps no reference to it): a port may transfer it.
 */
export interface SnapshotTakenNotice {
  type: 'snapshot';
  snapshot: Snapshot;
}

/**
 * The client cannot snapshot: its state machine has no snapshot()/restore() ('unsupported', then
 * the host never asks again, so the log is never compacted), or snapshot() threw ('failed').
 */
export interface SnapshotDeclinedNotice {
  type: 'snapshot-declined';
  reason: 'unsupported' | 'failed';
}

/**
 * Shut the host down gracefully (stop ticking, finish the Ready in progress, close storage).
 * With `leave` (default false) the peer first leaves the group through the log (a leader hands
 * leadership over first) and the host waits until it is removed, or about two election timeouts.
 */
export interface CloseRequest {
  type: 'close';
  requestId: number;
  leave?: boolean;
}

export type ClientToHost = ProposeRequest | ReadRequest | TransferRequest | SnapshotTakenNotice | SnapshotDeclinedNotice | CloseRequest;

// ---------- host -> client ----------

/**
 * Committed entries to apply in index order, after restoring `snapshot` when present. Entries at or
 * below the client's applied index must be ignored (a restart replays the committed prefix).
 * `snapshot.data` is the client's own (a copy the host keeps no reference to): it may be restored
 * from without copying, and transferred across a port.
 */
export interface ApplyNotice {
  type: 'apply';
  entries: LogEntry[];
  snapshot: Snapshot | null;
}

export type ProposalResultNotice =
  | { type: 'proposal-result'; requestId: number; ok: true; start: number; end: number }
  | { type: 'proposal-result'; requestId: number; ok: false; error: ProposalError };

export type ReadResultNotice =
  | { type: 'read-result'; requestId: number; ok: true; index: number }
  | { type: 'read-result'; requestId: number; ok: false; error: ProposalError };

export type TransferResultNotice =
  | { type: 'transfer-result'; requestId: number; ok: true; leader: PeerId | null }
  | { type: 'transfer-result'; requestId: number; ok: false; error: 'not-leader' | 'timeout' | 'shutting-down' }
  /** The target cannot take over (not a voter, or no other voter): `message` says why. */
  | { type: 'transfer-result'; requestId: number; ok: false; error: 'invalid-target'; message: string };

/**
 * The engine's log outgrew its compaction threshold (Ready.snapshotRequest): once the client has
 * applied at least `upTo`, it snapshots its state machine and the exactly-once table and answers
 * with a SnapshotTakenNotice (or a SnapshotDeclinedNotice).
 */
export interface TakeSnapshotRequest {
  type: 'take-snapshot';
  upTo: number;
}

export interface StatusNotice {
  type: 'status';
  status: RaftStatus;
}

/**
 * The host stopped. `requestId` answers a CloseRequest; null when it stopped on its own (`error`
 * says why, e.g. a storage failure).
 */
export interface ClosedNotice {
  type: 'closed';
  requestId: number | null;
  error?: string;
}

export type HostToClient =
  | ApplyNotice
  | ProposalResultNotice
  | ReadResultNotice
  | TransferResultNotice
  | StatusNotice
  | TakeSnapshotRequest
  | ClosedNotice;

// ---------- ports ----------

/**
 * One end of a bidirectional message channel. `post` must deliver asynchronously and in order;
 * messages posted before the other end set a handler are buffered (as with a Worker).
 */
export interface Port<Out, In> {
  post(message: Out): void;
  /** Set (replace) the handler for incoming messages. */
  onMessage(handler: (message: In) => void): void;
  /** Stop delivering in both directions; later posts are dropped. */
  close(): void;
}

/** The engine side's end: sends HostToClient, receives ClientToHost. */
export type HostPort = Port<HostToClient, ClientToHost>;
/** The state machine side's end: sends ClientToHost, receives HostToClient. */
export type ClientPort = Port<ClientToHost, HostToClient>;
