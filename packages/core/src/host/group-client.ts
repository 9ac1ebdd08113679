// GroupClient: the state-machine half of a peer's runtime, implementing the public Group API over a
// ClientPort to an EngineHost (which holds the engine, storage and ticks; in a browser it runs in a
// Worker). It validates input, applies committed entries (Applier), tracks proposals / strong reads
// until they resolve (PendingOpTracker: a command keeps its (clientId, seq) tag across retries, so it
// is applied exactly once, and its caller gets what that one apply returned) and leadership transfers
// (ClientTransfers). It answers the host's compaction requests with a snapshot of the state machine
// plus the exactly-once table (SnapshotTaker).
//
// The client survives its host being replaced by one with another peer id (the runtime re-joins
// under a fresh identity after this peer was removed): it adopts the new id from the host's status,
// keeps its applied state (entries at or below `applied` are the same committed entries on every
// peer, so they are skipped) and re-sends the requests the old host never answered.
import { encodeValues } from '../codec/value-codec';
import { resolveConfig, type RaftConfig } from '../config';
import { ClosedError, InvalidInputError } from '../errors';
import type { Consistency, ExecuteManyResult, ExecuteOptions, ExecuteResult, Group, GroupStatus, GroupWaiters, QueryResult } from '../group';
import type { PeerId, Random, RaftStatus, StateMachine } from '../types';
import { SnapshotTaker } from './snapshot-taker';
import { Applier, type ApplierStats } from './applier';
import type { Clock } from './clock';
import type { ExactlyOnceData, ExactlyOnceLimits } from './exactly-once';
import { commandsInputError, consistencyInputError } from './operation-input';
import { PendingOpTracker } from './pending-op-tracker';
import type { ClientPort, ClientToHost, HostToClient } from './protocol';
import { StatusStore } from './status-store';
import { ClientTransfers } from './client-transfers';

export interface GroupClientOptions<Cmd, Q, QR, R = unknown> {
  peerId: PeerId;
  port: ClientPort;
  /** Its apply's return type R is what execute() resolves with (`result`). */
  stateMachine: StateMachine<Cmd, Q, R, QR>;
  clock: Clock;
  /** Used only to mint this client's id. */
  random: Random;
  /** The group's config (forwardTimeoutMs sets the default caller timeout; limits checked early). */
  config?: Partial<RaftConfig>;
  /** Longest time one apply slice may run before yielding (default 8 ms). */
  sliceMs?: number;
  exactlyOnce?: ExactlyOnceLimits;
}

export interface GroupClientStats extends ApplierStats {
  proposalsSent: number;
  retries: number;
  /** Snapshots produced for the host (compaction) and requests declined. */
  snapshotsTaken: number;
  snapshotsDeclined: number;
}

export interface GroupClientCloseOptions {
  /**
   * Leave the group through the log before stopping (default true): the peer is removed from the
   * membership at once instead of after autoRemoveAfterMs. False keeps it a member (e.g. a restart).
   */
  leave?: boolean;
}

export class GroupClient<Cmd = unknown, Q = unknown, QR = unknown, R = unknown> implements Group<Cmd, Q, QR, R> {
  /** Tags this client's commands; fresh per GroupClient (a restarted peer gets a new one). */
  readonly clientId: string;
  readonly when: GroupWaiters;
  private readonly config: RaftConfig;
  private readonly store: StatusStore;
  private readonly applier: Applier<Cmd>;
  private readonly ops: PendingOpTracker<Cmd, Q, QR, R>;
  private readonly transfers: ClientTransfers;
  /** One id space for every request to the host (operations, transfers, close). */
  private nextRequestId = 1;
  private closing: Promise<void> | null = null;
  /** What ClosedError says: why the host stopped when it stopped on its own (a storage failure). */
  private closedReason = 'group closed';
  private closeRequestId = -1;
  private resolveClosed: (() => void) | null = null;
  private readonly snapshots: SnapshotTaker;
  private readonly table = () => this.applier.table.serialize();

  constructor(private readonly options: GroupClientOptions<Cmd, Q, QR, R>) {
    this.config = resolveConfig(options.config);
    const suffix = () => Math.floor(options.random() * 2 ** 32).toString(36);
    this.clientId = `${options.peerId}/${suffix()}${suffix()}`;
    this.store = new StatusStore(options.peerId);
    this.snapshots = new SnapshotTaker(options.stateMachine as StateMachine<never, unknown, unknown, unknown>, (m) => options.port.post(m));
    this.applier = new Applier<Cmd>(
      options.stateMachine as StateMachine<Cmd, unknown, unknown, unknown>,
      options.clock,
      { onEntry: (e, fresh, result) => this.ops.onApplied(e, fresh, result), onSnapshot: (s) => this.ops.onSnapshot(s), onSliceEnd: () => this.afterSlice() },
      options.sliceMs ?? 8,
      options.exactlyOnce,
    );
    const post = (m: ClientToHost) => options.port.post(m);
    this.ops = new PendingOpTracker<Cmd, Q, QR, R>({
      clientId: this.clientId,
      config: this.config,
      clock: options.clock,
      post,
      nextRequestId: () => this.nextRequestId++,
      applier: this.applier,
      query: (query) => options.stateMachine.query(query),
      leaderKnown: () => this.store.current.leader !== null,
    });
    this.transfers = new ClientTransfers(post);
    this.when = {
      online: () => this.store.online(),
      leaderChanged: () => this.store.leaderChanged(),
      committed: (index) => this.store.committed(index),
    };
    options.port.onMessage((message) => this.onHostMessage(message));
  }

  /** This peer's id; changes when the runtime re-joins under a fresh identity after removal. */
  get peerId(): PeerId {
    return this.store.current.peerId;
  }

  get status(): GroupStatus {
    return this.store.current;
  }

  get stats(): GroupClientStats {
    return {
      ...this.applier.stats,
      proposalsSent: this.ops.proposalsSent,
      retries: this.ops.retries,
      snapshotsTaken: this.snapshots.taken,
      snapshotsDeclined: this.snapshots.declined,
    };
  }

  /** The exactly-once table as plain data (stored next to the user's bytes in snapshots). */
  serializeExactlyOnce(): ExactlyOnceData {
    return this.applier.table.serialize();
  }

  subscribe(listener: () => void): () => void {
    return this.store.subscribe(listener);
  }

  async execute(command: Cmd, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    const outcome = await this.propose([command], options);
    return { index: outcome.start, result: outcome.results[0] };
  }

  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>> {
    const invalid = commandsInputError(commands);
    if (invalid) return Promise.reject(invalid);
    return this.propose(commands, options);
  }

  query(query: Q, consistency: Consistency = 'strong', options?: ExecuteOptions): Promise<QueryResult<QR>> {
    if (this.closing) return Promise.reject(new ClosedError(this.closedReason, { kind: 'query', query }));
    const invalid = consistencyInputError(consistency);
    if (invalid) return Promise.reject(invalid);
    if (consistency === 'weak') {
      // Local state at once (may be stale); position says how fresh it is.
      try {
        return Promise.resolve({ result: this.options.stateMachine.query(query), position: this.applier.applied });
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.ops.read(query, options);
  }

  transferLeadership(to?: PeerId): Promise<void> {
    if (this.closing) return Promise.reject(new ClosedError(this.closedReason));
    return this.transfers.start(this.nextRequestId++, to);
  }

  /**
   * Graceful close: pending operations reject with ClosedError; the peer leaves the group (unless
   * `leave: false`); resolves once the host stopped.
   */
  close(options: GroupClientCloseOptions = {}): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise((resolve) => (this.resolveClosed = resolve));
    this.shutDown();
    this.closeRequestId = this.nextRequestId++;
    this.options.port.post({ type: 'close', requestId: this.closeRequestId, leave: options.leave !== false });
    return this.closing;
  }

  /** Local stop without asking the host (it died, or the whole peer is being torn down). */
  terminate(): void {
    if (!this.closing) this.closing = Promise.resolve();
    this.shutDown();
    this.finishClose();
  }

  // ---------- proposals ----------

  /** Validates and encodes before anything is sent, so bad input rejects at once (InvalidInputError). */
  private propose(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>> {
    if (this.closing) return Promise.reject(new ClosedError(this.closedReason, { kind: 'commands', commands }));
    let encoded: Uint8Array[];
    let bytes = 0;
    try {
      encoded = encodeValues(commands);
      for (const data of encoded) bytes += data.byteLength;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new InvalidInputError(`command cannot be encoded: ${reason}`));
    }
    if (commands.length > this.config.maxProposalCommands || bytes > this.config.maxProposalBytes) {
      return Promise.reject(new InvalidInputError(`proposal of ${commands.length} commands / ${bytes} bytes exceeds the group's limits`));
    }
    return this.ops.propose(commands, encoded, options);
  }

  private afterSlice(): void {
    this.ops.answerReads();
    this.store.update({ applied: this.applier.applied, committed: Math.max(this.store.current.committed, this.applier.applied) });
    this.snapshots.maybeTake(this.applier.applied, this.table);
  }

  // ---------- host messages ----------

  private onHostMessage(message: HostToClient): void {
    if (message.type === 'closed') {
      // Stopped on its own: the app's errors say why (a full disk is not the app closing the group).
      if (message.requestId === null && message.error !== undefined && !this.closing) this.closedReason = `group closed: ${message.error}`;
      if (message.requestId === this.closeRequestId || message.requestId === null) this.terminate();
      return;
    }
    if (this.closing) return;
    switch (message.type) {
      case 'apply':
        this.applier.enqueue(message.entries, message.snapshot);
        break;
      case 'proposal-result':
        this.ops.onResult(message.requestId, message);
        break;
      case 'read-result':
        this.ops.onResult(message.requestId, message);
        break;
      case 'transfer-result':
        this.transfers.onResult(message, this.store.current.leader);
        break;
      case 'status':
        this.onStatus(message.status);
        break;
      case 'take-snapshot':
        // Never from a state machine still restoring (its image would not be the state at
        // `applied`): the request waits for the slice that ends the restore.
        this.snapshots.request(message.upTo, this.applier.restoring ? -1 : this.applier.applied, this.table);
        break;
    }
  }

  private onStatus(status: RaftStatus): void {
    if (status.peerId !== this.store.current.peerId) this.onNewHost(status.peerId);
    if (status.leader !== null) this.ops.leaderSeen();
    const { role, term, leader, online, members, catchUp } = status;
    // Everything applied was committed, also while a fresh host (new identity) is still catching up.
    const committed = Math.max(status.committed, this.applier.applied);
    this.store.update({ role, term, leader, committed, online, members, catchUp, removed: status.removed === true, departed: status.departed ?? [], priorVoters: status.priorVoters ?? [], frozen: status.frozen === true });
  }

  /**
   * A new host (another peer id) took over the port: the old one will never answer what it was
   * asked, so transfers fail and operations in flight are sent again (same tags).
   */
  private onNewHost(peerId: PeerId): void {
    this.store.setPeerId(peerId);
    this.snapshots.reset();
    this.transfers.rejectForNewHost();
    this.ops.resendInFlight();
  }

  private shutDown(): void {
    this.ops.closeAll(this.closedReason);
    this.transfers.closeAll(this.closedReason);
    this.applier.stop();
    this.store.update({ closed: true, online: false });
    this.store.rejectAll(new ClosedError(this.closedReason));
  }

  private finishClose(): void {
    this.options.port.close();
    this.resolveClosed?.();
    this.resolveClosed = null;
  }
}
