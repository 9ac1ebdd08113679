// The client's execute / strong-query operations from first attempt to result. Each attempt gets a
// fresh request id but keeps the command tag (clientId, seq), so however often a command is re-sent
// (retryable refusal, overwritten index, new host) the exactly-once table applies it once. An
// operation completes when all its commands were seen applied, its caller's timeout fires, or the
// group closes. It resolves with what apply returned at each command's first (only) application on
// this peer; a command this peer never applied itself (a snapshot covered it) resolves undefined.
import type { ProposalError } from '../engine/api';
import type { RaftConfig } from '../config';
import { ClosedError } from '../errors';
import type { ExecuteManyResult, ExecuteOptions, QueryResult } from '../group';
import type { LogEntry, Snapshot } from '../types';
import type { Applier } from './applier';
import type { Clock } from './clock';
import { DeadlineQueue } from './deadline-queue';
import { closedError, expiryError, finalError, isRetryable, RangeWatch, unexecutedOf, type CommandOp, type Op, type ReadOp } from './pending-ops';
import type { ClientToHost } from './protocol';

/** A proposal or read result as the host reports it. */
export type AttemptResult = { ok: true; start?: number; end?: number; index?: number } | { ok: false; error: ProposalError };

export interface PendingOpTrackerOptions<Q, QR> {
  clientId: string;
  config: RaftConfig;
  clock: Clock;
  post(message: ClientToHost): void;
  /** Shared with transfers and close, so every request to the host has its own id. */
  nextRequestId(): number;
  /** Read live: `table` is replaced when a snapshot is restored. */
  applier: Pick<Applier<unknown>, 'applied' | 'table' | 'restoring'>;
  query(query: Q): QR;
  leaderKnown(): boolean;
}

export class PendingOpTracker<Cmd, Q, QR, R = unknown> {
  proposalsSent = 0;
  retries = 0;
  private readonly watch = new RangeWatch<Cmd, R>();
  private readonly requests = new Map<number, Op<Cmd, Q, QR, R>>();
  private readonly bySeq = new Map<number, CommandOp<Cmd, R>>();
  private readonly reads = new Set<ReadOp<Q, QR>>();
  private readonly ops = new Set<Op<Cmd, Q, QR, R>>();
  /** Callers' timeouts, all on one timer. */
  private readonly deadlines: DeadlineQueue;
  private nextSeq = 1;
  /** Incremented on every host status that names a leader (for Offline vs Timeout). */
  private leaderEpoch = 0;

  constructor(private readonly options: PendingOpTrackerOptions<Q, QR>) {
    this.deadlines = new DeadlineQueue(options.clock);
  }

  /** Commands already validated and encoded by the caller. */
  propose(commands: Cmd[], encoded: Uint8Array[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>> {
    return new Promise((resolve, reject) => {
      const tag = { clientId: this.options.clientId, seq: this.nextSeq };
      this.nextSeq += commands.length;
      const op: CommandOp<Cmd, R> = {
        kind: 'commands', commands, encoded, tag, indices: new Array(commands.length).fill(undefined),
        results: new Array(commands.length).fill(undefined), remaining: commands.length, range: null, mayHaveCommitted: false, resolve, reject, ...this.opBase(),
      };
      op.deadline = this.deadlines.add(() => this.expire(op), this.timeoutOf(options));
      for (let i = 0; i < commands.length; i++) this.bySeq.set(tag.seq + i, op);
      this.ops.add(op);
      this.send(op);
    });
  }

  /** A strong read (ReadIndex): answered from local state once the read index is applied. */
  read(query: Q, options?: ExecuteOptions): Promise<QueryResult<QR>> {
    return new Promise((resolve, reject) => {
      const op: ReadOp<Q, QR> = { kind: 'read', query, readIndex: null, resolve, reject, ...this.opBase() };
      op.deadline = this.deadlines.add(() => this.expire(op), this.timeoutOf(options));
      this.ops.add(op);
      this.reads.add(op);
      this.send(op);
    });
  }

  /** The host's status named a leader: an operation that expires later saw one (Timeout, not Offline). */
  leaderSeen(): void {
    this.leaderEpoch++;
  }

  onResult(requestId: number, result: AttemptResult): void {
    const op = this.requests.get(requestId);
    this.requests.delete(requestId);
    if (!op || op.done || op.requestId !== requestId) return;
    op.requestId = null;
    // A forward that timed out reached the leader's side, and one given positions is in a log.
    if (op.kind === 'commands' && (result.ok || result.error === 'timeout')) op.mayHaveCommitted = true;
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
    for (let index = range.start; index <= Math.min(range.end, this.options.applier.applied); index++) {
      if (op.indices[index - range.start] === undefined) {
        this.scheduleRetry(op, true);
        return;
      }
    }
    op.range = range;
    this.watch.watch(op, range);
  }

  /** `result` is what apply returned for the entry (meaningful only when `fresh`). */
  onApplied(entry: LogEntry, fresh: boolean, result: unknown): void {
    const watchedAll = this.watch.take(entry.index);
    const client = entry.kind === 'command' ? entry.client : undefined;
    const ours = client !== undefined && client.clientId === this.options.clientId;
    if (ours && fresh) {
      const op = this.bySeq.get(client.seq);
      // The state machine's R: the applier is untyped, this client's state machine produced it.
      if (op && !op.done) this.record(op, client.seq - op.tag.seq, entry.index, result as R);
    }
    for (const watched of watchedAll) {
      if (watched.op.done || (ours && client.seq === watched.op.tag.seq + watched.offset)) continue;
      // Another entry took the index our attempt was given (a leader change truncated it): retry.
      this.watch.unwatch(watched.op);
      watched.op.range = null;
      this.scheduleRetry(watched.op, true);
    }
  }

  /**
   * After a snapshot restore: our commands it covers were applied at or before its index, by other
   * peers only. Their apply results are not part of snapshots, so they resolve with undefined.
   */
  onSnapshot(snapshot: Snapshot): void {
    for (const op of this.ops) {
      if (op.kind !== 'commands') continue;
      for (let i = 0; i < op.commands.length && !op.done; i++) {
        if (this.options.applier.table.has({ clientId: this.options.clientId, seq: op.tag.seq + i })) this.record(op, i, snapshot.meta.index, undefined);
      }
      // Positions the snapshot covers that did not hold these commands (their attempt was
      // overwritten): no entry there will be applied here any more, so nothing would tell.
      if (!op.done && op.range && op.range.end <= snapshot.meta.index) {
        this.watch.unwatch(op);
        op.range = null;
        this.scheduleRetry(op, true);
      }
    }
  }

  /** Strong reads whose read index is applied are answered from local state (ReadIndex, thesis §6.4). */
  answerReads(): void {
    // A state machine still restoring asynchronously is not queried; the restore's end answers them.
    if (this.options.applier.restoring) return;
    for (const op of this.reads) {
      if (op.readIndex === null || this.options.applier.applied < op.readIndex) continue;
      try {
        const result = this.options.query(op.query);
        this.finish(op, null, { result, position: this.options.applier.applied });
      } catch (error) {
        this.finish(op, error);
      }
    }
  }

  /**
   * A new host took over the port and will never answer the old one's requests: send every attempt
   * in flight again at once (same tags: at most once still holds).
   */
  resendInFlight(): void {
    for (const [requestId, op] of [...this.requests]) {
      this.requests.delete(requestId);
      op.requestId = null;
      this.scheduleRetry(op, true);
    }
  }

  /**
   * The group closes (`reason`: the ClosedError message): every pending operation rejects with what
   * it left unexecuted. A command with an attempt that may be in a log (one in flight now counts:
   * the host may have proposed or forwarded it) rejects with TimeoutError instead, whose outcome is
   * unknown: retrying a ClosedError's commands must never apply one twice.
   */
  closeAll(reason = 'group closed'): void {
    for (const op of [...this.ops]) {
      if (op.kind === 'commands' && op.requestId !== null) op.mayHaveCommitted = true;
      this.finish(op, closedError(op, reason));
    }
    this.requests.clear();
  }

  private opBase() {
    return { requestId: null, leaderKnownAtStart: this.options.leaderKnown(), leaderEpochAtStart: this.leaderEpoch, deadline: null, retry: null, done: false };
  }

  private timeoutOf(options?: ExecuteOptions): number {
    const { forwardTimeoutMs } = this.options.config;
    const ms = options?.timeoutMs ?? 2 * forwardTimeoutMs;
    return Number.isFinite(ms) && ms >= 0 ? ms : 2 * forwardTimeoutMs;
  }

  private send(op: Op<Cmd, Q, QR, R>): void {
    if (op.done) return;
    op.retry = null;
    const requestId = this.options.nextRequestId();
    op.requestId = requestId;
    this.requests.set(requestId, op);
    if (op.kind === 'read') {
      this.options.post({ type: 'read', requestId });
    } else {
      this.proposalsSent++;
      // The same tag on every attempt: the leader's tag index or the exactly-once table drops copies.
      this.options.post({ type: 'propose', requestId, commands: op.encoded, client: op.tag });
    }
  }

  /** Send the operation again (same tag) after a short pause, or at once when `now`. */
  private scheduleRetry(op: Op<Cmd, Q, QR, R>, now = false): void {
    if (op.done || op.retry !== null || op.requestId !== null) return;
    this.retries++;
    if (now) this.send(op);
    else op.retry = this.options.clock.setTimeout(() => this.send(op), Math.max(10, this.options.config.heartbeatMs));
  }

  private record(op: CommandOp<Cmd, R>, offset: number, index: number, result: R | undefined): void {
    if (op.indices[offset] !== undefined) return;
    op.indices[offset] = index;
    op.results[offset] = result;
    op.remaining--;
    if (op.remaining === 0) {
      const indices = op.indices as number[];
      const outcome: ExecuteManyResult<R> = { start: indices[0], end: indices[indices.length - 1], results: op.results };
      this.finish(op, null, outcome);
    }
  }

  private expire(op: Op<Cmd, Q, QR, R>): void {
    op.deadline = null;
    if (!op.done) this.finish(op, expiryError(op, this.leaderEpoch));
  }

  private finish(op: Op<Cmd, Q, QR, R>, error: unknown, value?: unknown): void {
    if (op.done) return;
    op.done = true;
    this.ops.delete(op);
    if (op.deadline !== null) this.deadlines.cancel(op.deadline);
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
    if (error === null) op.resolve(value as ExecuteManyResult<R>);
    else op.reject(error);
  }
}
