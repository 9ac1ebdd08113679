// EngineHost: the engine half of a peer's runtime. It owns a RaftEngine, its Storage and its ticks;
// it feeds the engine its inputs (network messages, connectivity, client requests) and after each
// kicks the Ready loop (ReadyLoop), which makes every batch durable before anything that depends on
// it leaves the peer. The client's snapshot (asked for with 'take-snapshot', see ClientNotices)
// comes back as 'snapshot' and goes to engine.snapshotTaken().
// Delegated besides the Ready loop: what a Ready posts to the client (ClientNotices, with
// CommittedDelivery for committed entries and the start-up replay), leadership transfers
// (HostTransfers) and leaving the group on close (LeaveSequence). Every storage write and the
// storage's close() are bounded by the stall limit (PersistWatch): a storage that stops answering
// fails the host like one that reports an error.
import { resolveConfig, type RaftConfig } from '../config';
import type { RaftEngine, RaftNodeOptions } from '../engine/api';
import { createRaftEngine } from '../engine/raft-node';
import type { Message } from '../messages';
import type { PeerId, RaftStatus } from '../types';
import { ClientNotices } from './client-notices';
import type { EngineHostOptions, EngineHostStats, HostCloseOptions } from './engine-host-api';
import { HostTransfers } from './host-transfers';
import { LeaveSequence } from './leave-sequence';
import { PersistWatch, persistStallLimitMs, StorageStallError } from './persist-watch';
import type { ClientToHost } from './protocol';
import { ReadyLoop } from './ready-loop';

export class EngineHost {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly stats: EngineHostStats = {
    readies: 0, persists: 0, messagesSent: 0, messagesSentEarly: 0, backgroundPersists: 0, messagesDropped: 0, ticks: 0,
    snapshotRequests: 0, snapshotsTaken: 0, snapshotsDeclined: 0, leaves: 0, leaveTimeouts: 0,
  };
  private engineRef: RaftEngine | null = null;
  private tickHandle: unknown = null;
  /** The storage was closed (close() or releaseStorage()). */
  private storageClosed = false;
  private stopped = false;
  /** close() was called: no new input is accepted, the Ready in progress finishes. */
  private closing = false;
  private lastStatus: RaftStatus | null = null;
  private readonly loop: ReadyLoop;
  /** Every storage write and close in flight, failed once stalled (see persist-watch.ts). */
  private readonly persists: PersistWatch;
  private readonly notices: ClientNotices;
  private readonly transfers: HostTransfers;
  /** close({ leave }) waiting to be removed: the engine still runs, client input is ignored. */
  private readonly leave: LeaveSequence;

  constructor(private readonly options: EngineHostOptions) {
    this.id = options.id;
    this.config = resolveConfig(options.config);
    const { clock, port } = options;
    const isStopped = () => this.stopped;
    this.notices = new ClientNotices(options, this.stats);
    this.persists = new PersistWatch(clock, persistStallLimitMs(this.config.electionTimeoutMs));
    this.loop = new ReadyLoop(options, {
      stats: this.stats, notices: this.notices, persists: this.persists,
      isStopped, isClosing: () => this.closing, postStatus: (status) => this.postStatus(status), fail: (error) => this.fail(error),
    });
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
    this.loop.attach(this.engineRef, { term: state.hardState.term, vote: state.hardState.vote });

    // The state machine lives in memory only: rebuild it before the engine's first Ready, whose
    // output is filtered against what the replay delivered.
    this.notices.delivery.replay(state);
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
   * storage and tell the client. On a host that already stopped (a storage failure, halt()), only
   * lets the storage go, once the write in flight settled (see releaseStorage).
   */
  async close(requestId: number | null = null, options: HostCloseOptions = {}): Promise<void> {
    if (this.closing || this.leave.active) return;
    if (this.stopped) return this.releaseStorage();
    if (options.leave) await this.leave.run(this.engineRef);
    if (this.closing) return;
    if (this.stopped) return this.releaseStorage();
    this.closing = true;
    this.stopTimers();
    await this.settle();
    // The commit index the last Readies held back (volatile state, but a reopened tab replays up to
    // the stored one before it hears from a leader). Failing to store it loses nothing: the close
    // goes on, and the failure is reported.
    const held = this.stopped ? undefined : this.engineRef?.takeHeldHardState?.();
    if (held) await this.persists.track(this.options.storage.persist({ entries: [], hardState: held })).catch((error: unknown) => this.options.onError?.(error));
    this.stopped = true;
    await this.closeStorage();
    if (options.notify !== false) this.options.port.post({ type: 'closed', requestId });
  }

  /**
   * After depart(), halt() or a storage failure: waits for the writes in flight (each settles, or
   * fails at the stall limit), then closes the storage, so that the next writer of the same
   * database (a new identity on the slot) starts after this host's last write, and a failed
   * storage lets its connection and writer lock go. A no-op while the host runs, and once the
   * storage is closed.
   */
  async releaseStorage(): Promise<void> {
    if (!this.stopped || this.closing) return;
    await this.settle();
    await this.closeStorage();
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
        if (message.reason === 'unsupported') this.notices.snapshotsUnsupported();
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
    this.loop.stop();
    this.transfers.abortAll();
  }

  /** Until the Ready in progress and every storage write in flight settled (or failed at the stall limit). */
  private async settle(): Promise<void> {
    await this.loop.settled;
    await this.persists.idle();
  }

  /**
   * Closes the storage, once. A close that never settles is given up at the stall limit and
   * reported (onError); other close errors reach the caller, as they always did.
   */
  private async closeStorage(): Promise<void> {
    if (this.storageClosed) return;
    this.storageClosed = true;
    await this.persists.track(this.options.storage.close(), 'closing the storage').catch((error: unknown) => {
      if (!(error instanceof StorageStallError)) throw error;
      this.options.onError?.(error);
    });
  }

  /** Run the Ready loop (see ReadyLoop.kick). */
  private kick(): void {
    this.loop.kick();
  }

  /** A Ready's status, once its batch is durable (see ReadyLoop). */
  private postStatus(status: RaftStatus): void {
    this.publishStatus(status);
    this.transfers.settle(status.leader);
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
