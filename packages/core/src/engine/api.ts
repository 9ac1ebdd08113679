// The contract of the sans-IO engine (etcd raft style: inputs in, a Ready batch out).
// RaftNode (engine/raft-node.ts) implements RaftEngine. Hosts drive it:
//
//   engine.tick(now) / engine.receive(from, msg) / engine.propose(...) ...
//   while (engine.hasReady()) {
//     const ready = engine.ready();
//     await storage.persist(ready.persist)          // durable BEFORE messages go out
//     send(ready.messages); apply(ready.committed);  // committed entries in index order
//     engine.storageDone(ready.token);
//   }
import type { RaftConfig } from '../config';
import type { Departure, Envelope, ForwardError, Message } from '../messages';
import type { PersistBatch, PersistedState } from '../storage';
import type { ClientTag, HardState, LeadershipPreference, LogEntry, Membership, PeerId, Random, RaftStatus, Snapshot } from '../types';

/** What a RaftNode is built from. */
export interface RaftNodeOptions {
  /** This peer's id, unique in the group for the engine's life. */
  id: PeerId;
  /** Timing, batching and limit settings (resolveConfig fills the defaults). */
  config: RaftConfig;
  /** 'normal', reluctant (election timeouts scaled up, so others win first) or 'observer' (never votes or campaigns). */
  preference: LeadershipPreference;
  /** The only source of randomness (election timeouts, request-id ranges): a seeded one makes runs reproducible. */
  random: Random;
  /** Current time in ms (virtual or real); the engine never reads a clock itself. */
  now: number;
  /** What storage.load() returned. */
  state: PersistedState;
  /**
   * Membership to start from when the log (and snapshot) is empty. A peer that already has a log
   * ignores it (never re-bootstraps). Omitted: the peer waits to be added by a leader (it asks to join).
   */
  bootstrap?: Membership;
  /**
   * Re-found the group on this peer's log as its only voter. Only when every voter of the log's
   * latest configuration departed for good and this log is at least as up to date as each of their
   * final positions (see lifecycle/founding.ts): then no quorum of that configuration can ever form
   * again, and this log holds every committed entry. Ignored for an empty log.
   */
  refound?: boolean;
  /**
   * Entries found in another copy of the group's log on this device (a departed tab's storage that
   * no tab runs) that continue this log exactly: `prevLogIndex`/`prevLogTerm` are this log's last
   * entry. Taken at start, as a log tail a peer sends is (log-tails.ts): unacknowledged, and only
   * while no leader is known. A restarted voter whose log lacks a departed leader's last entries
   * (it crashed before they reached it) could otherwise never cover that leader's final position.
   */
  logTail?: LogTail;
}

/** Entries that follow the log entry at `prevLogIndex` (of term `prevLogTerm`) in some real log. */
export interface LogTail {
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
}

/** The outcome of propose(): the log index range the commands got, or why they got none. */
export type ProposalResult =
  | { requestId: number; ok: true; start: number; end: number }
  | { requestId: number; ok: false; error: ProposalError };

/** The outcome of readIndex(): the index the reader must have applied before it answers (thesis §6.4). */
export type ReadResult =
  | { requestId: number; ok: true; index: number }
  | { requestId: number; ok: false; error: ProposalError };

/** Why a proposal or read could not be done; the Group maps these to typed errors. */
export type ProposalError = ForwardError | 'timeout' | 'removed';

/**
 * Why a leadership transfer did not start: this peer does not lead, the target is this peer, a
 * learner or no member, or (without a target) no other voter is there to take over.
 */
export type TransferRefusal = 'not-leader' | 'self' | 'learner' | 'not-a-member' | 'no-other-voter';

/**
 * What a peer sends if it departs now (see RaftNode.departurePlan()), in this order on each
 * ordered channel: `appends`, then TimeoutNow to `handoffTo`, then `notice`.
 */
export interface DeparturePlan {
  /**
   * A leader's last AppendEntries: to each member that lacks part of the log up to the notice's
   * final position, the entries it misses (at most 64) with the leader's commit index; to
   * `handoffTo`, up to the end of the leader's log. Without them a member that lagged by a few
   * entries when a majority closed at once could never cover the leader's final position, and the
   * TimeoutNow target could be denied by a voter holding more of the leader's log. Empty for a
   * non-leader.
   */
  appends: Envelope[];
  /** Sent to every connected peer. */
  notice: Departure;
  /** A leader's best voter to send TimeoutNow to (thesis §3.10) before the notice; null otherwise. */
  handoffTo: PeerId | null;
  /**
   * The other voters of this peer's configuration (and of configurations it may not have replaced
   * yet, RaftStatus.priorVoters) whose departure notices it has received (taken,
   * or held as passed on by a non-member): each departed before this peer will. A browser tab keeps
   * them with its own tombstone, so the start-up rules can tell which device holds the
   * configuration's last departure (FoundingInput.departedBefore). The notice carries the same list
   * (`Departure.knew`), so other devices read it too. Absent: none.
   */
  departedBefore?: PeerId[];
}

/** One batch of engine output (etcd raft's Ready), taken with ready(). */
export interface Ready {
  /** Pass back to storageDone() once `persist` is durable. */
  token: number;
  /** Durable work; must be persisted before `messages` are sent. Empty batches have entries: []. */
  persist: PersistBatch;
  /** Messages to send once `persist` is durable. */
  messages: Envelope[];
  /** Newly committed entries to apply, in index order (after any `snapshotToInstall`). */
  committed: LogEntry[];
  /** A snapshot the state machine must restore before applying `committed` (fetched by catch-up). */
  snapshotToInstall: Snapshot | null;
  /** Outcomes of this peer's own proposals. */
  proposals: ProposalResult[];
  /** Outcomes of this peer's own linearizable reads. */
  reads: ReadResult[];
  /** Present when any status field changed since the previous Ready. */
  status: RaftStatus | null;
  /**
   * Compaction: the log has outgrown compactAfterEntries / compactAfterBytes. The host should
   * snapshot its state machine (including the exactly-once table) once it has applied at least
   * `upTo`, and hand it back with snapshotTaken(). Only `meta.index` and `data` need to be right:
   * the engine fills in `meta.term` and `meta.membership` from its log. Absent or null: nothing asked.
   */
  snapshotRequest?: { upTo: number } | null;
  /**
   * Departure notices of other peers this engine saw for the first time (each names its peer in
   * `peer`). A runtime keeps them with its own tombstones: the startup rules may re-found a group
   * only when every voter and every successor a departed leader named is known departed
   * (lifecycle/founding.ts), and a member on another device departs where only a notice tells.
   */
  departures?: Departure[];
  /**
   * The departure plan as of this Ready. A host that may have to depart synchronously (a closing
   * browser tab) keeps it where it can send it, and takes it before relaying `messages`.
   */
  departure?: DeparturePlan;
}

/** The sans-IO engine's contract: inputs in, Ready batches out (see the loop at the top of this file). */
export interface RaftEngine {
  /** This peer's id. */
  readonly id: PeerId;
  /** Time passes: heartbeats, election timeouts (§5.2), check-quorum (thesis §6.2), request timeouts. */
  tick(now: number): void;
  /** A message from a peer. Malformed, out-of-bounds or unexpected ones are dropped and counted, never thrown. */
  receive(from: PeerId, message: Message, now: number): void;
  /** Propose commands; on a follower they are forwarded to the leader with their ClientTag. */
  propose(requestId: number, commands: Uint8Array[], client: ClientTag, now: number): void;
  /** Start a linearizable read: the result is the index the reader must have applied before answering. */
  readIndex(requestId: number, now: number): void;
  /** Hand leadership to `to` (or the most caught-up voter) via TimeoutNow (thesis §3.10); null when it started, else why not. */
  transferLeadership(to: PeerId | undefined, now: number): TransferRefusal | null;
  /** Peer connectivity from the transport: lets the engine skip sending to absent peers and drive catch-up. */
  peerUp(id: PeerId, now: number): void;
  /** The transport lost `id`: the engine stops pipelining to it and requeues what it forwarded there. */
  peerDown(id: PeerId, now: number): void;
  /**
   * The transport knows `id`'s process stopped (a tab of the same browser closed or crashed), not
   * just that a link dropped: peerDown, and when `id` led this follower, its lease no longer holds
   * and the voters left campaign in turn instead of waiting an election timeout. Nothing is
   * recorded: the identity may come back (a tab with a fixed peer id reloads), unlike a departure.
   */
  peerGone(id: PeerId, now: number): void;
  /**
   * Optional: every peer the host can see running (in the signaling room, linked, or a tab of this
   * browser), given only when that list is complete (the signaling server has been up longer than
   * live peers need to re-register). A departure notice passed on by a peer this engine does not
   * know as a member is held (DepartureHandler.onDeparture); one that names a peer absent from the
   * list is taken now: that peer runs nowhere, so a notice of its departure is no forgery that could
   * make a live voter stop counting.
   */
  peersPresent?(present: readonly PeerId[], now: number): void;
  /** The host finished persisting the Ready with this token. */
  storageDone(token: number): void;
  /**
   * Optional: the hard state the Readies held back because only its commit index moved (it rides
   * along with an append at most once per heartbeat interval, and goes out alone after two),
   * recorded as handed out; undefined when nothing is held or a new term or vote waits for the next
   * Ready. A host stores it when its Ready loop has been idle a while, and when it closes.
   */
  takeHeldHardState?(): HardState | undefined;
  /**
   * The state machine produced a snapshot covering up to `snapshot.meta.index` (compaction, Raft §7).
   * The engine stores it (Ready.persist.snapshot), serves it to catching-up peers, and compacts its
   * in-memory log past it. Stale or out-of-range snapshots are ignored.
   */
  snapshotTaken(snapshot: Snapshot): void;
  /**
   * Optional: leave the group gracefully. A leader first hands leadership over; a follower
   * (or the former leader) then asks the leader to remove it. Status shows `removed` once it is out.
   */
  leave?(now: number): void;
  /** The departure plan as of now (see Ready.departure). */
  departurePlan?(): DeparturePlan;
  /** Depart for good: the engine sends nothing and takes no input afterwards. Returns the plan to send. */
  depart?(now: number): DeparturePlan;
  /**
   * Whether ready() may have anything to hand out: an input arrived since the last ready(), or output
   * waits. A pure query; the deferred work (a commit after a durable append, the batched broadcast, a
   * leader outside its configuration stepping down) runs in ready(), so a Ready may be empty.
   */
  hasReady(): boolean;
  /** Take the next batch; persist `persist` before sending `messages` (Raft Fig. 2), then call storageDone(token). */
  ready(): Ready;
  /** What this peer knows now: role, term, leader, commit and apply indices, members, catch-up. */
  status(): RaftStatus;
}
