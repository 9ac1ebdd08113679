// EngineHost: the engine half of a peer's runtime. It owns a RaftEngine, its Storage and its ticks,
// and runs the Ready loop serially, one Ready at a time:
//   send what may leave early, post committed entries and results to the client
//   -> persist(ready.persist) -> send the rest -> post status -> storageDone(token)
// so that term, vote and entries are durable before any message that depends on them leaves the peer
// (Raft Fig. 2, "respond to RPCs only after updating stable storage"). What may leave before the
// batch is durable (ready-order.ts): a leader's AppendEntries and heartbeats when the batch changes
// no term or vote (thesis §10.2.1: the leader writes its log in parallel with replicating it; the
// engine counts the leader toward a commit only for what storageDone reported durable), and
// committed entries (a quorum already stored them). A batch that only moves the commit index (volatile
// in Raft) is written in the background. A batch may carry a snapshot and a truncation
// next to entries; Storage.persist applies it atomically.
// Compaction: the engine's snapshotRequest is passed to the client as 'take-snapshot'; the client's
// snapshot comes back as 'snapshot' and goes to engine.snapshotTaken().
// Delegated: committed-entry delivery and the start-up replay (CommittedDelivery), leadership
// transfers (HostTransfers) and leaving the group on close (LeaveSequence).
import { resolveConfig, type RaftConfig } from '../config';
import type { DeparturePlan, LogTail, RaftEngine, RaftNodeOptions, Ready } from '../engine/api';
import { createRaftEngine } from '../engine/raft-node';
import { sameFields, sameList } from '../engine/status';
import type { Message } from '../messages';
import { writesBesidesHardState, type PersistBatch, type Storage } from '../storage';
import type { LeadershipPreference, Membership, PeerId, Random, RaftStatus } from '../types';
import type { Clock } from './clock';
import { CommittedDelivery } from './committed-delivery';
import { HostTransfers } from './host-transfers';
import { IdleCommitFlush } from './idle-commit-flush';
import { LeaveSequence } from './leave-sequence';
import type { PeerTransport } from './peer-transport';
import type { ClientToHost, HostPort } from './protocol';
import { commitOnly, planLeavesEarly, splitReadyMessages } from './ready-order';

export interface EngineHostOptions {
  id: PeerId;
  storage: Storage;
  transport: PeerTransport;
  /** The host's end of the channel to the GroupClient. */
  port: HostPort;
  clock: Clock;
  random: Random;
  config?: Partial<RaftConfig>;
  preference?: LeadershipPreference;
  /** Membership to start from when the stored log is empty (ignored once a log exists). */
  bootstrap?: Membership;
  /** Re-found the group on the stored log as its only voter (RaftNodeOptions.refound). */
  refound?: boolean;
  /** Entries of another copy of the log on this device that continue the stored one (RaftNodeOptions.logTail). */
  logTail?: LogTail;
  /** Builds the engine; defaults to createRaftEngine (a RaftNode). Lets tests substitute an engine. */
  createEngine?: (options: RaftNodeOptions) => RaftEngine;
  /** Called with unexpected failures (storage errors) before the host stops. */
  onError?: (error: unknown) => void;
  /**
   * Called with every status the engine reports (and once at start). The runtime watches
   * `status.removed` here: a removed peer can never rejoin under its id.
   */
  onStatus?: (status: RaftStatus) => void;
  /** How long close({ leave: true }) waits to be removed; default 2 x (electionTimeoutMs + electionJitterMs). */
  leaveTimeoutMs?: number;
  /**
   * Called with every Ready before any of its messages is sent (e.g. to keep Ready.departure where a
   * closing tab can send it, ahead of that Ready's frames).
   */
  onReady?: (ready: Ready) => void;
  /** Called after each Ready's messages and client notices went out (e.g. to flush batched frames). */
  afterSend?: () => void;
}

export interface HostCloseOptions {
  /** Leave the group through the log first (engine.leave), waiting until removed or leaveTimeoutMs. */
  leave?: boolean;
  /** Post 'closed' to the client (default true). False when another host takes over the same port. */
  notify?: boolean;
}

/** Counters for observation in tests and the cluster panel. */
export interface EngineHostStats {
  readies: number;
  persists: number;
  messagesSent: number;
  /** Messages sent before their Ready's batch was durable (a leader's appends and heartbeats). */
  messagesSentEarly: number;
  /** Batches that only moved the stored commit index, written without holding up the loop. */
  backgroundPersists: number;
  /** Messages that arrived before start() finished or after the host stopped. */
  messagesDropped: number;
  ticks: number;
  /** Snapshot requests passed to the client, snapshots handed to the engine, and declines. */
  snapshotRequests: number;
  snapshotsTaken: number;
  snapshotsDeclined: number;
  /** close({ leave }) outcome: removed through the log, or gave up after leaveTimeoutMs. */
  leaves: number;
  leaveTimeouts: number;
}

export function isEmptyPersistBatch(batch: PersistBatch): boolean {
  return batch.hardState === undefined && !writesBesidesHardState(batch);
}

/** Whether postToClient will post anything for this Ready. */
function hasClientOutput(ready: Ready): boolean {
  return ready.committed.length > 0 || ready.snapshotToInstall !== null || ready.proposals.length > 0 || ready.reads.length > 0 || Boolean(ready.snapshotRequest);
}

export class EngineHost {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly stats: EngineHostStats = {
    readies: 0, persists: 0, messagesSent: 0, messagesSentEarly: 0, backgroundPersists: 0, messagesDropped: 0, ticks: 0,
    snapshotRequests: 0, snapshotsTaken: 0, snapshotsDeclined: 0, leaves: 0, leaveTimeouts: 0,
  };
  private engineRef: RaftEngine | null = null;
  private tickHandle: unknown = null;
  private draining = false;
  private drainDone: Promise<void> = Promise.resolve();
  /** The storage was closed (close() or releaseStorage()). */
  private storageClosed = false;
  private stopped = false;
  /** close() was called: no new input is accepted, the Ready in progress finishes. */
  private closing = false;
  /** The client's state machine cannot snapshot: never ask it again (the log is not compacted). */
  private snapshotUnsupported = false;
  private lastStatus: RaftStatus | null = null;
  private lastPlan: DeparturePlan | null = null;
  /** Term and vote as last made durable (loaded at start, then from each persisted hardState). */
  private durableVote: { term: number; vote: PeerId | null } = { term: 0, vote: null };
  private readonly delivery: CommittedDelivery;
  private readonly transfers: HostTransfers;
  /** close({ leave }) waiting to be removed: the engine still runs, client input is ignored. */
  private readonly leave: LeaveSequence;
  private readonly idleFlush: IdleCommitFlush;

  constructor(private readonly options: EngineHostOptions) {
    this.id = options.id;
    this.config = resolveConfig(options.config);
    const { clock, port } = options;
    this.idleFlush = new IdleCommitFlush(clock, () => this.storeHeldCommit());
    const isStopped = () => this.stopped;
    this.delivery = new CommittedDelivery(port);
    this.transfers = new HostTransfers({ id: this.id, config: this.config, clock, post: (m) => port.post(m), isStopped });
    this.leave = new LeaveSequence({
      id: this.id, config: this.config, clock, leaveTimeoutMs: options.leaveTimeoutMs, stats: this.stats,
      isStopped, isRemoved: () => this.removed, kick: () => this.kick(),
    });
  }

  /** The engine (for tests and inspection); throws before start(). */
  get engine(): RaftEngine {
    if (!this.engineRef) throw new Error('EngineHost not started');
    return this.engineRef;
  }

  get running(): boolean {
    return this.engineRef !== null && !this.stopped && !this.closing;
  }

  /** Load storage, build the engine, replay the committed prefix to the client, start ticking. */
  async start(): Promise<void> {
    const { storage, port, clock } = this.options;
    const state = await storage.load();
    if (this.stopped) return;
    this.durableVote = { term: state.hardState.term, vote: state.hardState.vote };
    const nodeOptions: RaftNodeOptions = {
      id: this.id,
      config: this.config,
      preference: this.options.preference ?? 'normal',
      random: this.options.random,
      now: clock.now(),
      state,
      bootstrap: this.options.bootstrap,
      refound: this.options.refound,
      ...(this.options.logTail ? { logTail: this.options.logTail } : {}),
    };
    this.engineRef = (this.options.createEngine ?? createRaftEngine)(nodeOptions);

    // The state machine lives in memory only: rebuild it before the engine's first Ready, whose
    // output is filtered against what the replay delivered.
    this.delivery.replay(state);
    port.onMessage((message) => this.onClientMessage(message));
    this.publishStatus(this.engineRef.status());
    this.scheduleTick();
    this.kick();
  }

  // ---------- inputs from the network ----------

  receive(from: PeerId, message: Message): void {
    if (!this.running) {
      this.stats.messagesDropped++;
      return;
    }
    this.engine.receive(from, message, this.options.clock.now());
    this.kick();
  }

  peerUp(id: PeerId): void {
    if (!this.running) return;
    this.engine.peerUp(id, this.options.clock.now());
    this.kick();
  }

  peerDown(id: PeerId): void {
    if (!this.running) return;
    this.engine.peerDown(id, this.options.clock.now());
    this.kick();
  }

  /** `id`'s process stopped, not just its link (see RaftEngine.peerGone). */
  peerGone(id: PeerId): void {
    if (!this.running) return;
    this.engine.peerGone(id, this.options.clock.now());
    this.kick();
  }

  /** Every peer the host sees running, when that list is complete (see RaftEngine.peersPresent). */
  peersPresent(present: readonly PeerId[]): void {
    if (!this.running || !this.engine.peersPresent) return;
    this.engine.peersPresent(present, this.options.clock.now());
    this.kick();
  }

  // ---------- lifecycle ----------

  /** Whether the engine reported that this peer was removed from the group. */
  get removed(): boolean {
    return this.lastStatus?.removed === true;
  }

  /**
   * Graceful stop: optionally leave the group first, then finish the Ready in progress, close
   * storage and tell the client.
   */
  async close(requestId: number | null = null, options: HostCloseOptions = {}): Promise<void> {
    if (this.stopped || this.closing || this.leave.active) return;
    if (options.leave) await this.leave.run(this.engineRef);
    if (this.stopped || this.closing) return;
    this.closing = true;
    this.stopTimers();
    await this.drainDone;
    // The commit index the last Readies held back (volatile state, but a reopened tab replays up to
    // the stored one before it hears from a leader). Failing to store it loses nothing: the close
    // goes on, and the failure is reported.
    const held = this.stopped ? undefined : this.engineRef?.takeHeldHardState?.();
    if (held) await this.options.storage.persist({ entries: [], hardState: held }).catch((error: unknown) => this.options.onError?.(error));
    this.stopped = true;
    this.storageClosed = true;
    await this.options.storage.close();
    if (options.notify !== false) this.options.port.post({ type: 'closed', requestId });
  }

  /**
   * After depart() or halt(): waits for the batch in flight, then closes the storage, so that the
   * next writer of the same database (a new identity on the slot) starts after this host's last
   * write. A no-op while the host runs, and once the storage is closed.
   */
  async releaseStorage(): Promise<void> {
    if (!this.stopped || this.closing) return;
    await this.drainDone;
    if (this.storageClosed) return;
    this.storageClosed = true;
    await this.options.storage.close();
  }

  /**
   * The page is going away for good and its main thread already sent the departure plan: the
   * engine never votes, acknowledges or sends again (engine.depart), and the host stops.
   */
  depart(): void {
    if (this.engineRef && !this.stopped) this.engineRef.depart?.(this.options.clock.now());
    this.halt();
  }

  /**
   * Crash: stop at once. A persist in flight may or may not land; nothing after it (messages,
   * results) goes out. Storage is left as is so a restart can load it.
   */
  halt(): void {
    this.stopped = true;
    this.stopTimers();
    this.leave.release();
  }

  // ---------- internals ----------

  private onClientMessage(message: ClientToHost): void {
    if (!this.running || this.leave.active) return;
    const now = this.options.clock.now();
    switch (message.type) {
      case 'propose':
        this.engine.propose(message.requestId, message.commands, message.client, now);
        break;
      case 'read':
        this.engine.readIndex(message.requestId, now);
        break;
      case 'transfer':
        this.transfers.start(this.engine, message.requestId, message.to, now);
        break;
      case 'snapshot':
        this.stats.snapshotsTaken++;
        this.engine.snapshotTaken(message.snapshot);
        break;
      case 'snapshot-declined':
        this.stats.snapshotsDeclined++;
        if (message.reason === 'unsupported') this.snapshotUnsupported = true;
        return;
      case 'close':
        void this.close(message.requestId, { leave: message.leave === true });
        return;
    }
    this.kick();
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    const interval = Math.max(10, Math.floor(this.config.heartbeatMs / 2));
    this.tickHandle = this.options.clock.setTimeout(() => {
      this.tickHandle = null;
      if (this.stopped) return;
      this.stats.ticks++;
      this.engine.tick(this.options.clock.now());
      this.kick();
      this.scheduleTick();
    }, interval);
  }

  private stopTimers(): void {
    if (this.tickHandle !== null) this.options.clock.clearTimeout(this.tickHandle);
    this.tickHandle = null;
    this.idleFlush.stop();
    this.transfers.abortAll();
  }

  /** Start the Ready loop unless it is already running (it re-checks hasReady before exiting). */
  private kick(): void {
    if (this.draining || this.stopped || this.closing || !this.engineRef) return;
    this.draining = true;
    this.idleFlush.busy();
    this.drainDone = this.drain().finally(() => {
      this.draining = false;
      if (!this.stopped && !this.closing) this.idleFlush.idle();
    });
  }

  private async drain(): Promise<void> {
    const engine = this.engine;
    const { transport, storage } = this.options;
    try {
      while (!this.stopped && engine.hasReady()) {
        const ready = engine.ready();
        this.stats.readies++;
        this.options.onReady?.(ready);
        if (ready.departures && ready.departures.length > 0) transport.departures?.(ready.departures);
        // A batch that only moves the stored commit index vouches for nothing: it is written in the
        // background (storage keeps batches in order) and the loop goes on.
        const background = commitOnly(ready.persist, this.durableVote);
        const persist = !background && !isEmptyPersistBatch(ready.persist);
        const { early, late } = persist ? splitReadyMessages(ready.persist, this.durableVote, ready.messages, this.id) : { early: ready.messages, late: [] };
        // Committed entries were stored by a quorum already, and results only name log positions:
        // neither waits for this batch. Committed entries go first (the caller on this peer is
        // waiting for them; relaying frames on the main thread would delay them), otherwise the
        // frames do (the other peers wait for those).
        const applyFirst = ready.committed.length > 0;
        // The departure plan leaves with the first message of this Ready (now when some go before the
        // write, else after it): whoever sends it in a page's last moment must hold one that covers
        // every message sent, and, for a follower, nothing a write in flight may still lose. A
        // candidate's early vote requests acknowledge nothing: its plan waits for the write.
        if (!persist || planLeavesEarly(early)) this.postPlan(ready);
        if (applyFirst) this.postToClient(ready);
        for (const envelope of early) transport.send(envelope.to, envelope.message);
        this.stats.messagesSent += early.length;
        if (persist) this.stats.messagesSentEarly += early.length;
        if (!applyFirst) this.postToClient(ready);
        this.options.afterSend?.();
        if (background) {
          this.stats.persists++;
          this.stats.backgroundPersists++;
          await Promise.resolve(); // as below: what was just posted leaves first
          if (this.stopped) return;
          storage.persist(ready.persist).catch((error: unknown) => this.fail(error));
        }
        if (persist) {
          this.stats.persists++;
          // Ports and transports may batch what was just posted until the next microtask: let that
          // leave before the storage call, whose set-up (opening a transaction) takes a while.
          if (early.length > 0 || hasClientOutput(ready)) await Promise.resolve();
          if (this.stopped) return;
          await storage.persist(ready.persist);
          if (this.stopped) return; // crashed while persisting: nothing that depends on it goes out
          if (ready.persist.hardState) this.durableVote = { term: ready.persist.hardState.term, vote: ready.persist.hardState.vote };
          this.postPlan(ready);
          for (const envelope of late) transport.send(envelope.to, envelope.message);
          this.stats.messagesSent += late.length;
          if (late.length > 0) this.options.afterSend?.();
        }
        this.postStatus(ready);
        engine.storageDone(ready.token);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** The loop has been idle for a while: store the commit index the engine held back (see IdleCommitFlush). */
  private storeHeldCommit(): void {
    const engine = this.engineRef;
    if (this.stopped || this.closing || this.draining || !engine?.takeHeldHardState) return;
    const held = engine.takeHeldHardState();
    if (!held) return;
    this.stats.persists++;
    this.stats.backgroundPersists++;
    this.options.storage.persist({ entries: [], hardState: held }).catch((error: unknown) => this.fail(error));
  }

  /** Hands the Ready's departure plan to the transport when it changed (see PeerTransport.departurePlan). */
  private postPlan(ready: Ready): void {
    const { transport } = this.options;
    if (!ready.departure || !transport.departurePlan || samePlan(ready.departure, this.lastPlan)) return;
    this.lastPlan = ready.departure;
    transport.departurePlan(ready.departure);
  }

  private postToClient(ready: Ready): void {
    const { port } = this.options;
    // The engine re-emits what the start-up replay already delivered; pass on only what is new.
    this.delivery.forward(ready);
    for (const p of ready.proposals) {
      port.post(p.ok ? { type: 'proposal-result', requestId: p.requestId, ok: true, start: p.start, end: p.end } : { type: 'proposal-result', requestId: p.requestId, ok: false, error: p.error });
    }
    for (const r of ready.reads) {
      port.post(r.ok ? { type: 'read-result', requestId: r.requestId, ok: true, index: r.index } : { type: 'read-result', requestId: r.requestId, ok: false, error: r.error });
    }
    // After the entries it refers to were posted, so the client can answer once it applied them.
    if (ready.snapshotRequest && !this.snapshotUnsupported) {
      this.stats.snapshotRequests++;
      port.post({ type: 'take-snapshot', upTo: ready.snapshotRequest.upTo });
    }
  }

  /** Once the batch is durable: the status may report a term or role that depends on it. */
  private postStatus(ready: Ready): void {
    if (ready.status) {
      this.publishStatus(ready.status);
      this.transfers.settle(ready.status.leader);
    }
  }

  private publishStatus(status: RaftStatus): void {
    this.lastStatus = status;
    this.options.port.post({ type: 'status', status });
    this.leave.onStatus(status);
    try {
      this.options.onStatus?.(status);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Storage failed: durability can no longer be promised, so stop rather than risk unsafety. */
  private fail(error: unknown): void {
    if (this.stopped) return;
    this.options.onError?.(error);
    this.halt();
    const text = error instanceof Error ? error.message : String(error);
    this.options.port.post({ type: 'closed', requestId: null, error: `storage failure: ${text}` });
  }
}

/** Construct and start a host in one step. */
export async function startEngineHost(options: EngineHostOptions): Promise<EngineHost> {
  const host = new EngineHost(options);
  await host.start();
  return host;
}

/** The notice fields a departure plan is compared on (its appends are rebuilt from the log each time). */
const NOTICE_FIELDS = ['term', 'lastIndex', 'lastTerm', 'led'] as const;

function samePlan(a: DeparturePlan, b: DeparturePlan | null): boolean {
  return b !== null && a.handoffTo === b.handoffTo && sameFields(a.notice, b.notice, NOTICE_FIELDS) && sameList(a.notice.successors, b.notice.successors) && sameList(a.departedBefore, b.departedBefore);
}
