// The client-side status: one frozen GroupStatus object that is replaced only when a field changes
// (stable identity otherwise, as useSyncExternalStore requires), plus the `when.*` waiters and the
// subscribe() listeners that hang off it.
import { ClosedError } from '../errors';
import type { GroupStatus } from '../group';
import { sameSharedStatus } from '../engine/status';
import type { Membership, PeerId } from '../types';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function initialGroupStatus(peerId: PeerId): GroupStatus {
  return Object.freeze({
    peerId,
    role: 'follower',
    term: 0,
    leader: null,
    committed: 0,
    applied: 0,
    online: false,
    members: Object.freeze({ voters: [], learners: [] }) as Membership,
    catchUp: null,
    closed: false,
    removed: false,
  });
}

/** Unchanged: the fields shared with the engine's status, and whether the group is closed. */
function sameStatus(a: GroupStatus, b: GroupStatus): boolean {
  return a.closed === b.closed && sameSharedStatus(a, b);
}

export class StatusStore {
  private value: GroupStatus;
  private listeners = new Set<() => void>();
  private onlineWaiters: Waiter<void>[] = [];
  private leaderWaiters: Waiter<PeerId | null>[] = [];
  private committedWaiters: Array<Waiter<void> & { index: number }> = [];

  constructor(peerId: PeerId) {
    this.value = initialGroupStatus(peerId);
  }

  get current(): GroupStatus {
    return this.value;
  }

  /** Merge `patch`; publishes a new frozen object and wakes waiters only if something changed. */
  update(patch: Partial<Omit<GroupStatus, 'peerId'>>): boolean {
    const next: GroupStatus = { ...this.value, ...patch };
    if (sameStatus(this.value, next)) return false;
    const previous = this.value;
    if (patch.members) next.members = Object.freeze({ voters: [...patch.members.voters], learners: [...patch.members.learners] });
    this.value = Object.freeze(next);
    this.wake(previous);
    this.notify();
    return true;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A failing listener must not break the client or the other listeners.
      }
    }
  }

  /** The peer re-joined under a new id (after it was removed): publish the new id. */
  setPeerId(peerId: PeerId): void {
    if (peerId === this.value.peerId) return;
    const previous = this.value;
    this.value = Object.freeze({ ...this.value, peerId });
    this.wake(previous);
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  online(): Promise<void> {
    if (this.value.closed) return Promise.reject(new ClosedError('group closed'));
    if (this.value.online) return Promise.resolve();
    return new Promise((resolve, reject) => this.onlineWaiters.push({ resolve, reject }));
  }

  leaderChanged(): Promise<PeerId | null> {
    if (this.value.closed) return Promise.reject(new ClosedError('group closed'));
    return new Promise((resolve, reject) => this.leaderWaiters.push({ resolve, reject }));
  }

  committed(index: number): Promise<void> {
    if (this.value.applied >= index) return Promise.resolve();
    if (this.value.closed) return Promise.reject(new ClosedError('group closed'));
    return new Promise((resolve, reject) => this.committedWaiters.push({ resolve, reject, index }));
  }

  /** Reject every waiter (the group closed). */
  rejectAll(error: unknown): void {
    const all: Waiter<never>[] = [...this.onlineWaiters, ...this.leaderWaiters, ...this.committedWaiters];
    this.onlineWaiters = [];
    this.leaderWaiters = [];
    this.committedWaiters = [];
    for (const waiter of all) waiter.reject(error);
  }

  private wake(previous: GroupStatus): void {
    const now = this.value;
    if (now.online && this.onlineWaiters.length > 0) {
      const waiters = this.onlineWaiters;
      this.onlineWaiters = [];
      for (const w of waiters) w.resolve();
    }
    if (now.leader !== previous.leader && this.leaderWaiters.length > 0) {
      const waiters = this.leaderWaiters;
      this.leaderWaiters = [];
      for (const w of waiters) w.resolve(now.leader);
    }
    if (now.applied !== previous.applied && this.committedWaiters.length > 0) {
      const still: typeof this.committedWaiters = [];
      for (const w of this.committedWaiters) {
        if (now.applied >= w.index) w.resolve();
        else still.push(w);
      }
      this.committedWaiters = still;
    }
  }
}
