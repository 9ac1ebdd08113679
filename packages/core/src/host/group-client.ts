// GroupClient: the state-machine half of a peer's runtime (DESIGN §3), implementing the public Group
// API (DESIGN §4) over a ClientPort to an EngineHost. It applies committed entries (see Applier),
// and turns proposals / reads into promises. Commands carry a (clientId, seq) tag that stays the same
// across retries, so a retried command is applied exactly once. It answers the host's compaction
// requests with a snapshot of the state machine plus the exactly-once table (issue 3 §2).
//
// The client survives its host being replaced by one with another peer id (the runtime re-joins
// under a fresh identity after this peer was removed): it adopts the new id from the host's status,
// keeps its applied state (entries at or below `applied` are the same committed entries on every
// peer, so they are skipped) and re-sends the requests the old host never answered.
import { encodeValue } from '../codec/index';
import { resolveConfig, type RaftConfig } from '../config';
import { ClosedError, InvalidInputError, OfflineError, TimeoutError } from '../errors';
import type { Consistency, ExecuteOptions, Group, GroupStatus, GroupWaiters, IndexRange, QueryResult } from '../group';
import type { LogEntry, PeerId, Random, RaftStatus, Snapshot, StateMachine } from '../types';
import { SnapshotTaker } from './snapshot-taker';
import { Applier, type ApplierStats } from './applier';
import type { Clock } from './clock';
import type { ExactlyOnceData, ExactlyOnceLimits } from './exactly-once';
import { expiryError, finalError, isRetryable, RangeWatch, unexecutedOf, type CommandOp, type Op, type ReadOp } from './pending-ops';
import type { ClientPort, HostToClient } from './protocol';
import { StatusStore } from './status-store';

export interface GroupClientOptions<Cmd, Q, QR> {
  peerId: PeerId;
  port: ClientPort;
  stateMachine: StateMachine<Cmd, Q, unknown, QR>;
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

export class GroupClient<Cmd = unknown, Q = unknown, QR = unknown> implements Group<Cmd, Q, QR> {
  /** Tags this client's commands; fresh per GroupClient (a restarted peer gets a new one). */
  readonly clientId: string;
  readonly when: GroupWaiters;
  private readonly config: RaftConfig;
  private readonly store: StatusStore;
  private readonly applier: Applier<Cmd>;
  private readonly watch = new RangeWatch<Cmd>();
  private readonly requests = new Map<number, Op<Cmd, Q, QR> | { kind: 'transfer'; resolve(): void; reject(e: unknown): void; to?: PeerId }>();
  private readonly bySeq = new Map<number, CommandOp<Cmd>>();
  private readonly reads = new Set<ReadOp<Q, QR>>();
  private readonly ops = new Set<Op<Cmd, Q, QR>>();
  private nextSeq = 1;
  private nextRequestId = 1;
  /** Incremented on every host status that names a leader (for Offline vs Timeout). */
  private leaderEpoch = 0;
  private closing: Promise<void> | null = null;
  private closeRequestId = -1;
  private resolveClosed: (() => void) | null = null;
  private proposalsSent = 0;
  private retries = 0;
  private readonly snapshots: SnapshotTaker;
  private readonly table = () => this.applier.table.serialize();

  constructor(private readonly options: GroupClientOptions<Cmd, Q, QR>) {
    this.config = resolveConfig(options.config);
    const suffix = () => Math.floor(options.random() * 2 ** 32).toString(36);
    this.clientId = `${options.peerId}/${suffix()}${suffix()}`;
    this.store = new StatusStore(options.peerId);
    this.snapshots = new SnapshotTaker(options.stateMachine as StateMachine<never, unknown, unknown, unknown>, (m) => options.port.post(m));
    this.applier = new Applier<Cmd>(
      options.stateMachine as StateMachine<Cmd, unknown, unknown, unknown>,
      options.clock,
      { onEntry: (e, fresh) => this.onApplied(e, fresh), onSnapshot: (s) => this.onSnapshot(s), onSliceEnd: () => this.afterSlice() },
      options.sliceMs ?? 8,
      options.exactlyOnce,
    );
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
      proposalsSent: this.proposalsSent,
      retries: this.retries,
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

  async execute(command: Cmd, options?: ExecuteOptions): Promise<number> {
    const range = await this.propose([command], options);
    return range.start;
  }

  executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<IndexRange> {
    if (!Array.isArray(commands) || commands.length === 0) {
      return Promise.reject(new InvalidInputError('executeMany needs a non-empty array of commands'));
    }
    return this.propose(commands, options);
  }

  query(query: Q, consistency: Consistency = 'strong', options?: ExecuteOptions): Promise<QueryResult<QR>> {
    if (this.closing) return Promise.reject(new ClosedError('group closed', { kind: 'query', query }));
    if (consistency !== 'strong' && consistency !== 'weak') {
      return Promise.reject(new InvalidInputError(`consistency must be 'strong' or 'weak', got ${String(consistency)}`));
    }
    if (consistency === 'weak') {
      // Local state at once (may be stale); position says how fresh it is.
      try {
        return Promise.resolve({ result: this.options.stateMachine.query(query), position: this.applier.applied });
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      const op: ReadOp<Q, QR> = { kind: 'read', query, readIndex: null, resolve, reject, ...this.opBase() };
      op.deadline = this.options.clock.setTimeout(() => this.expire(op), this.timeoutOf(options));
      this.ops.add(op);
      this.reads.add(op);
      this.send(op);
    });
  }

  transferLeadership(to?: PeerId): Promise<void> {
    if (this.closing) return Promise.reject(new ClosedError('group closed'));
    return new Promise((resolve, reject) => {
      const requestId = this.nextRequestId++;
      this.requests.set(requestId, { kind: 'transfer', resolve, reject, to });
      this.options.port.post({ type: 'transfer', requestId, to });
    });
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

  private propose(commands: Cmd[], options?: ExecuteOptions): Promise<IndexRange> {
    if (this.closing) return Promise.reject(new ClosedError('group closed', { kind: 'commands', commands }));
    const encoded: Uint8Array[] = [];
    let bytes = 0;
    try {
      for (const command of commands) {
        const data = encodeValue(command);
        encoded.push(data);
        bytes += data.byteLength;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new InvalidInputError(`command cannot be encoded: ${reason}`));
    }
    if (commands.length > this.config.maxProposalCommands || bytes > this.config.maxProposalBytes) {
      return Promise.reject(new InvalidInputError(`proposal of ${commands.length} commands / ${bytes} bytes exceeds the group's limits`));
    }
    return new Promise((resolve, reject) => {
      const tag = { clientId: this.clientId, seq: this.nextSeq };
      this.nextSeq += commands.length;
      const op: CommandOp<Cmd> = {
        kind: 'commands', commands, encoded, tag, indices: new Array(commands.length).fill(undefined),
        remaining: commands.length, range: null, resolve, reject, ...this.opBase(),
      };
      op.deadline = this.options.clock.setTimeout(() => this.expire(op), this.timeoutOf(options));
      for (let i = 0; i < commands.length; i++) this.bySeq.set(tag.seq + i, op);
      this.ops.add(op);
      this.send(op);
    });
  }

  private opBase() {
    return { requestId: null, leaderKnownAtStart: this.store.current.leader !== null, leaderEpochAtStart: this.leaderEpoch, deadline: null, retry: null, done: false };
  }

  private timeoutOf(options?: ExecuteOptions): number {
    const ms = options?.timeoutMs ?? 2 * this.config.forwardTimeoutMs;
    return Number.isFinite(ms) && ms >= 0 ? ms : 2 * this.config.forwardTimeoutMs;
  }

  private send(op: Op<Cmd, Q, QR>): void {
    if (op.done) return;
    op.retry = null;
    const requestId = this.nextRequestId++;
    op.requestId = requestId;
    this.requests.set(requestId, op);
    if (op.kind === 'read') {
      this.options.port.post({ type: 'read', requestId });
    } else {
      this.proposalsSent++;
      // The same tag on every attempt: the leader's tag index or the exactly-once table drops copies.
      this.options.port.post({ type: 'propose', requestId, commands: op.encoded, client: op.tag });
    }
  }

  /** Send the operation again (same tag) after a short pause, or at once when `now`. */
  private scheduleRetry(op: Op<Cmd, Q, QR>, now = false): void {
    if (op.done || op.retry !== null || op.requestId !== null) return;
    this.retries++;
    if (now) this.send(op);
    else op.retry = this.options.clock.setTimeout(() => this.send(op), Math.max(10, this.config.heartbeatMs));
  }

  private onResult(requestId: number, result: { ok: true; start?: number; end?: number; index?: number } | { ok: false; error: Parameters<typeof isRetryable>[0] }): void {
    const op = this.requests.get(requestId);
    this.requests.delete(requestId);
    if (!op || op.kind === 'transfer' || op.done || op.requestId !== requestId) return;
    op.requestId = null;
    if (!result.ok) {
      if (isRetryable(result.error)) this.scheduleRetry(op);
      else this.finish(op, finalError(op, result.error));
      return;
    }
    if (op.kind === 'read') {
      op.readIndex = result.index ?? 0;
      this.answerReads();
      return;
    }
    const range = { start: result.start ?? 0, end: result.end ?? 0 };
    // Entries of the range that were already applied must be ours, else the range was overwritten.
    for (let index = range.start; index <= Math.min(range.end, this.applier.applied); index++) {
      if (op.indices[index - range.start] === undefined) {
        this.scheduleRetry(op, true);
        return;
      }
    }
    op.range = range;
    this.watch.watch(op, range);
  }

  // ---------- applying ----------

  private onApplied(entry: LogEntry, fresh: boolean): void {
    const watched = this.watch.take(entry.index);
    const client = entry.kind === 'command' ? entry.client : undefined;
    const ours = client !== undefined && client.clientId === this.clientId;
    if (ours && fresh) {
      const op = this.bySeq.get(client.seq);
      if (op && !op.done) this.record(op, client.seq - op.tag.seq, entry.index);
    }
    if (watched && !watched.op.done && !(ours && client.seq === watched.op.tag.seq + watched.offset)) {
      // Another entry took the index our attempt was given (a leader change truncated it): retry.
      this.watch.unwatch(watched.op);
      watched.op.range = null;
      this.scheduleRetry(watched.op, true);
    }
  }

  private record(op: CommandOp<Cmd>, offset: number, index: number): void {
    if (op.indices[offset] !== undefined) return;
    op.indices[offset] = index;
    op.remaining--;
    if (op.remaining === 0) {
      const indices = op.indices as number[];
      this.finish(op, null, { start: indices[0], end: indices[indices.length - 1] });
    }
  }

  /** After a snapshot restore: our commands it covers were applied at or before its index. */
  private onSnapshot(snapshot: Snapshot): void {
    for (const op of this.ops) {
      if (op.kind !== 'commands') continue;
      for (let i = 0; i < op.commands.length && !op.done; i++) {
        if (this.applier.table.has({ clientId: this.clientId, seq: op.tag.seq + i })) this.record(op, i, snapshot.meta.index);
      }
    }
  }

  private afterSlice(): void {
    this.answerReads();
    this.store.update({ applied: this.applier.applied, committed: Math.max(this.store.current.committed, this.applier.applied) });
    this.snapshots.maybeTake(this.applier.applied, this.table);
  }

  /** Strong reads whose read index is applied are answered from local state (ReadIndex, thesis §6.4). */
  private answerReads(): void {
    for (const op of this.reads) {
      if (op.readIndex === null || this.applier.applied < op.readIndex) continue;
      try {
        const result = this.options.stateMachine.query(op.query);
        this.finish(op, null, { result, position: this.applier.applied });
      } catch (error) {
        this.finish(op, error);
      }
    }
  }

  // ---------- completion ----------

  private expire(op: Op<Cmd, Q, QR>): void {
    op.deadline = null;
    if (!op.done) this.finish(op, expiryError(op, this.leaderEpoch));
  }

  private finish(op: Op<Cmd, Q, QR>, error: unknown, value?: unknown): void {
    if (op.done) return;
    op.done = true;
    this.ops.delete(op);
    if (op.deadline !== null) this.options.clock.clearTimeout(op.deadline);
    if (op.retry !== null) this.options.clock.clearTimeout(op.retry);
    if (op.requestId !== null) this.requests.delete(op.requestId);
    if (op.kind === 'read') {
      this.reads.delete(op);
      if (error === null) op.resolve(value as QueryResult<QR>);
      else op.reject(error);
      return;
    }
    this.watch.unwatch(op);
    for (let i = 0; i < op.commands.length; i++) this.bySeq.delete(op.tag.seq + i);
    if (error === null) op.resolve(value as IndexRange);
    else op.reject(error);
  }

  // ---------- host messages ----------

  private onHostMessage(message: HostToClient): void {
    if (message.type === 'closed') {
      if (message.requestId === this.closeRequestId || message.requestId === null) this.terminate();
      return;
    }
    if (this.closing) return;
    switch (message.type) {
      case 'apply':
        this.applier.enqueue(message.entries, message.snapshot);
        break;
      case 'proposal-result':
        this.onResult(message.requestId, message);
        break;
      case 'read-result':
        this.onResult(message.requestId, message);
        break;
      case 'transfer-result':
        this.onTransferResult(message);
        break;
      case 'status':
        this.onStatus(message.status);
        break;
      case 'take-snapshot':
        this.snapshots.request(message.upTo, this.applier.applied, this.table);
        break;
    }
  }

  private onStatus(status: RaftStatus): void {
    if (status.peerId !== this.store.current.peerId) this.onNewHost(status.peerId);
    if (status.leader !== null) this.leaderEpoch++;
    const { role, term, leader, online, members, catchUp } = status;
    // Everything applied was committed, also while a fresh host (new identity) is still catching up.
    const committed = Math.max(status.committed, this.applier.applied);
    this.store.update({ role, term, leader, committed, online, members, catchUp, removed: status.removed === true });
  }

  /**
   * A new host (another peer id) took over the port: the old one will never answer what it was
   * asked, so requests in flight are sent again (same tags: at most once still holds).
   */
  private onNewHost(peerId: PeerId): void {
    this.store.setPeerId(peerId);
    this.snapshots.reset();
    for (const [requestId, pending] of [...this.requests]) {
      if (pending.kind === 'transfer') {
        this.requests.delete(requestId);
        pending.reject(new OfflineError('this peer re-joined the group under a new id', { kind: 'none' }));
        continue;
      }
      this.requests.delete(requestId);
      pending.requestId = null;
      this.scheduleRetry(pending, true);
    }
  }

  private onTransferResult(message: Extract<HostToClient, { type: 'transfer-result' }>): void {
    const pending = this.requests.get(message.requestId);
    if (!pending || pending.kind !== 'transfer') return;
    this.requests.delete(message.requestId);
    if (message.ok) return pending.resolve();
    if (message.error === 'not-leader') {
      // Nothing to do if the wished-for peer already leads; otherwise only the leader can hand over.
      if (pending.to !== undefined && this.store.current.leader === pending.to) return pending.resolve();
      return pending.reject(new InvalidInputError('transferLeadership must be called on the current leader'));
    }
    pending.reject(message.error === 'timeout' ? new TimeoutError('leadership transfer did not complete in time', { kind: 'none' }) : new ClosedError('engine shutting down'));
  }

  private shutDown(): void {
    for (const op of [...this.ops]) this.finish(op, new ClosedError('group closed', unexecutedOf(op)));
    for (const [requestId, pending] of this.requests) {
      if (pending.kind === 'transfer') pending.reject(new ClosedError('group closed'));
      this.requests.delete(requestId);
    }
    this.applier.stop();
    this.store.update({ closed: true, online: false });
    this.store.rejectAll(new ClosedError('group closed'));
  }

  private finishClose(): void {
    this.options.port.close();
    this.resolveClosed?.();
    this.resolveClosed = null;
  }
}
