// A Group whose answers the test hands out one by one: the observers' ordering rules (one query in
// flight, older answers never overwrite newer ones, retries) need answers in a chosen order, which a
// real cluster does not give on demand.
import { initialGroupStatus } from '../../src/host/status-store';
import type { ExecuteManyResult, ExecuteResult, Group, GroupStatus, QueryResult } from '../../src/group';

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): { promise: Promise<T>; pending: Pending<T> } {
  let pending!: Pending<T>;
  const promise = new Promise<T>((resolve, reject) => (pending = { resolve, reject }));
  return { promise, pending };
}

export class ScriptedGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown> implements Group<Cmd, Q, QR, R> {
  readonly peerId = 'scripted';
  status: GroupStatus = { ...initialGroupStatus('scripted'), online: true };
  /** Queries asked and not yet answered, oldest first. */
  readonly queries: Array<{ query: Q; consistency: string | undefined } & Pending<QueryResult<QR>>> = [];
  /** Command batches asked and not yet answered, oldest first. */
  readonly calls: Array<{ commands: Cmd[] } & Pending<ExecuteManyResult<R>>> = [];
  private readonly listeners = new Set<() => void>();
  readonly when = {
    online: () => Promise.resolve(),
    leaderChanged: () => Promise.resolve(null),
    committed: () => Promise.resolve(),
  };

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Moves `applied` (and `committed`) to `index` and notifies subscribers, as an applied entry does. */
  applyUpTo(index: number): void {
    this.status = { ...this.status, applied: index, committed: Math.max(index, this.status.committed) };
    for (const listener of [...this.listeners]) listener();
  }

  /** Notifies subscribers of a status change that moves nothing applied (e.g. back online). */
  notify(change: Partial<GroupStatus> = {}): void {
    this.status = { ...this.status, ...change };
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query(query: Q, consistency?: 'strong' | 'weak'): Promise<QueryResult<QR>> {
    const { promise, pending } = deferred<QueryResult<QR>>();
    this.queries.push({ query, consistency, ...pending });
    return promise;
  }

  async execute(command: Cmd): Promise<ExecuteResult<R>> {
    const { start, results } = await this.executeMany([command]);
    return { index: start, result: results[0] };
  }

  executeMany(commands: Cmd[]): Promise<ExecuteManyResult<R>> {
    const { promise, pending } = deferred<ExecuteManyResult<R>>();
    this.calls.push({ commands, ...pending });
    return promise;
  }

  transferLeadership(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
