// The object createGroup() returns synchronously. Starting a group is asynchronous (tab identity
// via Web Locks, signaling join, IndexedDB open, Worker start), so this wrapper answers status and
// subscriptions at once and forwards every operation to the real Group (a GroupClient) once it
// exists. Operations issued before then simply wait; if startup fails they reject with typed
// errors that carry the unexecuted commands or query, so nothing is silently lost.
import {
  ClosedError,
  commandsInputError,
  consistencyInputError,
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
  /** The one close() in progress or done: every caller waits for the same teardown. */
  private closing: Promise<void> | null = null;
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
      online: async () => (await this.ready({ kind: 'none' })).group.when.online(),
      leaderChanged: async () => (await this.ready({ kind: 'none' })).group.when.leaderChanged(),
      committed: async (index) => (await this.ready({ kind: 'none' })).group.when.committed(index),
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
    const { group, rest } = await this.ready({ kind: 'commands', commands: [command] }, options);
    return group.execute(command, rest);
  }

  async executeMany(commands: Cmd[], options?: ExecuteOptions): Promise<ExecuteManyResult<R>> {
    // Checked at once, as GroupClient does, not after start-up (a JS caller may pass anything).
    const invalid = commandsInputError(commands);
    if (invalid) throw invalid;
    // What the caller asked for now: changes to its array while start-up runs do not count.
    const copy = [...commands];
    const { group, rest } = await this.ready({ kind: 'commands', commands: copy }, options);
    return group.executeMany(copy, rest);
  }

  async query(query: Q, consistency?: Consistency, options?: ExecuteOptions): Promise<QueryResult<QR>> {
    // Before start-up, checked at once as GroupClient does; once attached, the inner group checks it.
    const invalid = this.inner || this.closed || consistency === undefined ? null : consistencyInputError(consistency);
    if (invalid) throw invalid;
    const { group, rest } = await this.ready({ kind: 'query', query }, options);
    return group.query(query, consistency, rest);
  }

  async transferLeadership(to?: PeerId): Promise<void> {
    return (await this.ready({ kind: 'none' })).group.transferLeadership(to);
  }

  /** Resolves once the runtime has stopped; a second call returns the first call's promise. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    if (!this.inner) {
      this.placeholder = { ...this.placeholder, closed: true };
      this.fail(new ClosedError('group closed during startup'));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The inner close waits for the engine to confirm; a dead Worker must not hang close().
      if (this.inner) {
        const deadline = new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
        await Promise.race([this.inner.close(), deadline]);
      }
    } finally {
      clearTimeout(timer); // else it keeps a Node process alive for up to CLOSE_TIMEOUT_MS
      await this.shutdown();
      this.notify();
    }
  }

  /**
   * The real group once it runs, and what is left of the caller's `timeoutMs` for the operation: an
   * operation issued during start-up waits for it, but no longer than its own deadline (then
   * OfflineError: nothing was sent).
   */
  private async ready(unexecuted: Unexecuted<Cmd, Q>, options?: ExecuteOptions): Promise<{ group: Group<Cmd, Q, QR, R>; rest: ExecuteOptions | undefined }> {
    if (this.inner) return { group: this.inner, rest: options };
    if (this.closed) throw new ClosedError('group is closed', unexecuted);
    const timeoutMs = options?.timeoutMs;
    const since = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const deadline =
        timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs >= 0
          ? new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new OfflineError(`the group did not start within ${timeoutMs} ms`, unexecuted)), timeoutMs);
            })
          : null;
      const group = deadline ? await Promise.race([this.innerReady, deadline]) : await this.innerReady;
      const rest = timeoutMs === undefined || !deadline ? options : { ...options, timeoutMs: Math.max(0, timeoutMs - (Date.now() - since)) };
      return { group, rest };
    } catch (error) {
      if (error instanceof OfflineError) throw error;
      if (error instanceof ClosedError) throw new ClosedError(error.message, unexecuted);
      throw new OfflineError(`group failed to start: ${(error as Error).message}`, unexecuted);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Calls every listener. As in core's StatusStore, a throwing listener (an app bug) breaks neither
   * the others (the runtime's own subscriptions among them) nor the caller: start-up, attach and
   * close run through here. It is reported, so the app still sees its bug.
   */
  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        console.error('[meshraft] a subscribe() listener threw', error);
      }
    }
  }
}
