// The object createGroup() returns synchronously. Starting a group is asynchronous (tab identity
// via Web Locks, signaling join, IndexedDB open, Worker start), so this wrapper answers status and
// subscriptions at once and forwards every operation to the real Group (a GroupClient) once it
// exists. Operations issued before then simply wait; if startup fails they reject with typed
// errors that carry the unexecuted commands or query, so nothing is silently lost.
import {
  ClosedError,
  initialGroupStatus,
  OfflineError,
  type Consistency,
  type ExecuteManyResult,
  type ExecuteOptions,
  type ExecuteResult,
  type Group,
  type GroupStatus,
  type GroupWaiters,
  type PeerId,
  type PeerView,
  type QueryResult,
  type Unexecuted,
} from '@meshraft/core';

/** Longest close() waits for the engine's confirmation before tearing the runtime down anyway. */
const CLOSE_TIMEOUT_MS = 5000;

/** The status shown before the engine runs: the same starting point as any GroupClient. */
export const startingStatus = initialGroupStatus;

export class DeferredGroup<Cmd, Q, QR, R = unknown> implements Group<Cmd, Q, QR, R> {
  private inner: Group<Cmd, Q, QR, R> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private placeholder: GroupStatus;
  private peerViews: Readonly<Record<PeerId, PeerView>> = {};
  private merged: { base: GroupStatus; views: Readonly<Record<PeerId, PeerView>>; status: GroupStatus } | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly innerReady: Promise<Group<Cmd, Q, QR, R>>;
  private resolveInner!: (group: Group<Cmd, Q, QR, R>) => void;
  private rejectInner!: (error: Error) => void;
  readonly when: GroupWaiters;

  constructor(
    peerId: PeerId,
    /** Runs the runtime's teardown (leave, release lock, stop worker); called once by close(). */
    private readonly shutdown: () => Promise<void>,
  ) {
    this.placeholder = startingStatus(peerId);
    this.innerReady = new Promise((resolve, reject) => {
      this.resolveInner = resolve;
      this.rejectInner = reject;
    });
    this.innerReady.catch(() => {}); // failures surface through the operations that await it
    this.when = {
      online: async () => (await this.ready({ kind: 'none' })).when.online(),
      leaderChanged: async () => (await this.ready({ kind: 'none' })).when.leaderChanged(),
      committed: async (index) => (await this.ready({ kind: 'none' })).when.committed(index),
    };
  }

  /** The real group is running: forward everything to it from now on. */
  attach(group: Group<Cmd, Q, QR, R>): void {
    if (this.inner || this.failure) return;
    this.inner = group;
    group.subscribe(() => this.notify());
    this.resolveInner(group);
    this.notify();
  }

  /** Startup failed: pending and future operations reject with OfflineError; status shows offline. */
  fail(error: Error): void {
    if (this.inner || this.failure) return;
    this.failure = error;
    this.rejectInner(error);
    this.notify();
  }

  /** Before attach: lets the runtime publish the peer id once the tab identity is known. */
  setPeerId(peerId: PeerId): void {
    this.placeholder = { ...this.placeholder, peerId };
    this.notify();
  }

  get startupError(): Error | null {
    return this.failure;
  }

  get peerId(): PeerId {
    return this.status.peerId;
  }

  /** Gossiped views of the other peers (status.peers); display only. */
  setPeerViews(views: Readonly<Record<PeerId, PeerView>>): void {
    this.peerViews = views;
    this.notify();
  }

  /** The inner status with `peers` merged in; a new object only when either part changed. */
  get status(): GroupStatus {
    const base = this.inner ? this.inner.status : this.placeholder;
    const cached = this.merged;
    if (cached && cached.base === base && cached.views === this.peerViews) return cached.status;
    const status = Object.freeze({ ...base, peers: this.peerViews });
    this.merged = { base, views: this.peerViews, status };
    return status;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the real group's answer: the index and what apply returned on this peer. */
  async execute(command: Cmd, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return (await this.ready({ kind: 'commands', commands: [command] })).execute(command, options);
  }

  async executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>> {
    return (await this.ready({ kind: 'commands', commands: [...commands] })).executeMany(commands, options);
  }

  async query(query: Q, consistency?: Consistency, options?: ExecuteOptions): Promise<QueryResult<QR>> {
    return (await this.ready({ kind: 'query', query })).query(query, consistency, options);
  }

  async transferLeadership(to?: PeerId): Promise<void> {
    return (await this.ready({ kind: 'none' })).transferLeadership(to);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.inner) {
      this.placeholder = { ...this.placeholder, closed: true };
      this.fail(new ClosedError('group closed during startup'));
    }
    try {
      // The inner close waits for the engine to confirm; a dead Worker must not hang close().
      if (this.inner) await Promise.race([this.inner.close(), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS))]);
    } finally {
      await this.shutdown();
      this.notify();
    }
  }

  private async ready(unexecuted: Unexecuted<Cmd, Q>): Promise<Group<Cmd, Q, QR, R>> {
    if (this.closed && !this.inner) throw new ClosedError('group is closed', unexecuted);
    try {
      return this.inner ?? (await this.innerReady);
    } catch (error) {
      if (error instanceof ClosedError) throw new ClosedError(error.message, unexecuted);
      throw new OfflineError(`group failed to start: ${(error as Error).message}`, unexecuted);
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
