// Bookkeeping of the client's in-flight operations: proposals (execute / executeMany) and strong
// reads. An operation lives until it resolves, its caller's timeout fires, or the group closes.
import type { ProposalError } from '../engine/api';
import { ClosedError, InvalidInputError, OfflineError, TimeoutError, type Unexecuted } from '../errors';
import type { ExecuteManyResult, IndexRange } from '../group';
import type { ClientTag } from '../types';

interface OpBase {
  /** Request id of the attempt in flight at the host, or null. */
  requestId: number | null;
  /** Whether a leader was known when it started (else: whether one became known since). */
  leaderKnownAtStart: boolean;
  leaderEpochAtStart: number;
  /** Its key in the tracker's DeadlineQueue (null once expired). */
  deadline: number | null;
  retry: unknown;
  done: boolean;
}

export interface CommandOp<Cmd, R> extends OpBase {
  kind: 'commands';
  commands: Cmd[];
  encoded: Uint8Array[];
  /** Tag of the first command; command i has seq tag.seq + i. The same tag on every retry. */
  tag: ClientTag;
  /** Log index at which command i was applied (first application), when known. */
  indices: Array<number | undefined>;
  /**
   * What apply returned for command i at that first application. Duplicates are skipped, never
   * applied, so however many attempts reached the log this is the one answer.
   */
  results: Array<R | undefined>;
  remaining: number;
  /** The range the last attempt was given; null when none or found to be overwritten. */
  range: IndexRange | null;
  /**
   * An attempt may be in the log: it was given log positions, or it reached the leader's side and
   * its answer never came (a forward that timed out). From then on a failure is an unknown outcome
   * (TimeoutError), never OfflineError's "nothing was committed".
   */
  mayHaveCommitted: boolean;
  resolve(outcome: ExecuteManyResult<R>): void;
  reject(error: unknown): void;
}

export interface ReadOp<Q, QR> extends OpBase {
  kind: 'read';
  query: Q;
  /** Read index returned by the host; answer once applied >= it. */
  readIndex: number | null;
  resolve(value: { result: QR; position: number }): void;
  reject(error: unknown): void;
}

export type Op<Cmd, Q, QR, R> = CommandOp<Cmd, R> | ReadOp<Q, QR>;

/** What was not executed, for the typed error (for a batch: the commands not yet seen applied). */
export function unexecutedOf<Cmd, Q, QR, R>(op: Op<Cmd, Q, QR, R>): Unexecuted<Cmd, Q> {
  if (op.kind === 'read') return { kind: 'query', query: op.query };
  return { kind: 'commands', commands: op.commands.filter((_, i) => op.indices[i] === undefined) };
}

/** Errors after which a retry (with the same tag) may succeed. */
export function isRetryable(error: ProposalError): boolean {
  return error === 'timeout' || error === 'no-leader' || error === 'not-leader';
}

/** The typed error for a proposal or read the host refused for good. */
export function finalError<Cmd, Q, QR, R>(op: Op<Cmd, Q, QR, R>, error: ProposalError): Error {
  const unexecuted = unexecutedOf(op);
  switch (error) {
    case 'too-large':
      return new InvalidInputError('proposal too large for this group');
    case 'shutting-down':
      return closedError(op, 'the engine is shutting down');
    case 'removed':
      if (maybeInLog(op)) return new TimeoutError('this peer was removed from the group after an attempt that may have committed', unexecuted);
      return new OfflineError('this peer was removed from the group', unexecuted);
    default:
      if (maybeInLog(op)) return new TimeoutError(`operation failed (${error}) after an attempt that may have committed`, unexecuted);
      return new OfflineError(`operation failed: ${error}`, unexecuted);
  }
}

/** The group or its engine stopped: ClosedError, unless a command attempt may be in a log (unknown outcome). */
export function closedError<Cmd, Q, QR, R>(op: Op<Cmd, Q, QR, R>, reason: string): Error {
  if (maybeInLog(op)) return new TimeoutError(`${reason} after an attempt that may have committed`, unexecutedOf(op));
  return new ClosedError(reason, unexecutedOf(op));
}

function maybeInLog<Cmd, Q, QR, R>(op: Op<Cmd, Q, QR, R>): boolean {
  return op.kind === 'commands' && op.mayHaveCommitted;
}

/** The caller's time ran out: Offline if no leader was ever known during the attempt, else Timeout. */
export function expiryError<Cmd, Q, QR, R>(op: Op<Cmd, Q, QR, R>, leaderEpoch: number): Error {
  const sawLeader = op.leaderKnownAtStart || leaderEpoch > op.leaderEpochAtStart || maybeInLog(op);
  const what = op.kind === 'read' ? 'strong query' : op.commands.length === 1 ? 'command' : `${op.commands.length} commands`;
  return sawLeader
    ? new TimeoutError(`${what} did not complete in time`, unexecutedOf(op))
    : new OfflineError(`${what} failed: no leader was known`, unexecutedOf(op));
}

/**
 * Index watches: log index -> the operations whose attempt was given it, and which of their
 * commands should be there. Several at once when a deposed leader gave one operation an index that
 * the next leader gave another: whichever entry lands there, the others retry.
 */
export class RangeWatch<Cmd, R> {
  private byIndex = new Map<number, Array<{ op: CommandOp<Cmd, R>; offset: number }>>();

  watch(op: CommandOp<Cmd, R>, range: IndexRange): void {
    for (let index = range.start; index <= range.end; index++) {
      const hits = this.byIndex.get(index) ?? [];
      hits.push({ op, offset: index - range.start });
      this.byIndex.set(index, hits);
    }
  }

  unwatch(op: CommandOp<Cmd, R>): void {
    if (!op.range) return;
    for (let index = op.range.start; index <= op.range.end; index++) {
      const hits = this.byIndex.get(index)?.filter((hit) => hit.op !== op);
      if (hits && hits.length > 0) this.byIndex.set(index, hits);
      else this.byIndex.delete(index);
    }
  }

  take(index: number): Array<{ op: CommandOp<Cmd, R>; offset: number }> {
    const hits = this.byIndex.get(index) ?? [];
    this.byIndex.delete(index);
    return hits;
  }
}
