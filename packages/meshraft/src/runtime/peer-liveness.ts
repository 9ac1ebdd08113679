// Which peers of this browser are still running, told by Web Locks. Each identity that listens on the
// same-browser channel holds a lock named after it for as long as it runs; the browser releases a
// lock the moment its holder's tab closes or crashes. So a tab that waits for a peer's lock (in
// shared mode, so every waiter is told at once) learns within a millisecond that the peer stopped,
// where the network would take an election timeout to tell a silent peer from a slow one. The
// engine then stops trusting that peer's leadership (RaftEngine.peerGone). A peer is watched only
// after it announced itself, which it does once it holds its lock, and only while someone holds
// that lock: a forged or stale announcement (a peer of another device, one already gone) is never
// reported.
import type { PeerId } from '@meshraft/core';
import type { LockManagerLike } from '../identity';

/** Peers watched at most: more tabs of one group in one browser is no real case, and announcements are not trusted (any script of the origin holding the key can post). */
export const MAX_WATCHED_PEERS = 64;

export interface PeerLivenessOptions {
  locks: LockManagerLike;
  /** Lock names start with this (the group's secret channel name: other groups never share one). */
  prefix: string;
  self: PeerId;
  /** `id`'s lock was released: its tab closed or crashed, or it gave up that identity. */
  gone(id: PeerId): void;
}

export class PeerLiveness {
  private releaseOwn: (() => void) | null = null;
  private abortHold: (() => void) | null = null;
  private readonly watches = new Map<PeerId, AbortController>();
  private closed = false;

  constructor(private readonly options: PeerLivenessOptions) {}

  /**
   * Takes this identity's lock and keeps it until close(). Resolves 'held' once held, 'closed' when
   * close() came first, 'unavailable' when the lock manager refused the request: the identity then
   * runs without a liveness lock (as in a browser without Web Locks), and nobody watches it.
   */
  hold(): Promise<'held' | 'closed' | 'unavailable'> {
    return new Promise((resolve) => {
      const held = new Promise<void>((release) => (this.releaseOwn = release));
      const abort = new AbortController();
      this.abortHold = () => abort.abort();
      this.options.locks
        .request(this.lockName(this.options.self), { mode: 'exclusive', signal: abort.signal }, async () => {
          if (this.closed) return resolve('closed');
          resolve('held');
          await held;
        })
        // Aborted by close() while another tab of this identity still held it, or refused.
        .catch(() => resolve(this.closed ? 'closed' : 'unavailable'));
    });
  }

  /** Tell gone(id) once `id`'s lock is released. Watching an id already watched, or one too many, does nothing. */
  watch(id: PeerId): void {
    if (this.closed || id === this.options.self || this.watches.has(id) || this.watches.size >= MAX_WATCHED_PEERS) return;
    const abort = new AbortController();
    this.watches.set(id, abort);
    const name = this.lockName(id);
    void this.isHeld(name).then((held) => {
      // An announcement names a peer that holds its lock: one whose lock nobody holds is stale or
      // forged, and waiting for it would report at once a peer that may well be running elsewhere.
      if (!held) {
        if (this.watches.get(id) === abort) this.watches.delete(id);
        return;
      }
      if (this.watches.get(id) !== abort) return;
      this.options.locks
        .request(name, { mode: 'shared', signal: abort.signal }, async () => {
          // Granted: the holder let go. Return at once, so the lock is free for whoever takes it next.
          if (this.watches.get(id) !== abort) return;
          this.watches.delete(id);
          if (!this.closed) this.options.gone(id);
        })
        .catch(() => {}); // aborted by close()
    });
  }

  /** Whether someone holds `name` now (true when the lock manager cannot say). */
  private async isHeld(name: string): Promise<boolean> {
    const { locks } = this.options;
    if (!locks.query) return true;
    try {
      return ((await locks.query()).held ?? []).some((lock) => lock.name === name);
    } catch {
      return true;
    }
  }

  /** Peers watched now. */
  watched(): PeerId[] {
    return [...this.watches.keys()].sort();
  }

  /** Let go of this identity's lock and stop watching. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abortHold?.();
    this.releaseOwn?.();
    for (const abort of this.watches.values()) abort.abort();
    this.watches.clear();
  }

  private lockName(id: PeerId): string {
    // Never the prefix first: it is base64url, and Web Lock names starting with '-' are reserved
    // (the request is refused), which one group key in 64 gave.
    return `meshraft:alive:${this.options.prefix}:${id}`;
  }
}
