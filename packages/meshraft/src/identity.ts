// Per-tab peer identity (DESIGN §3): the id lives in sessionStorage so it survives a reload, and a
// Web Lock named after it proves that no other live tab uses it. A duplicated tab copies
// sessionStorage, finds the lock held by the original, and mints a fresh id instead of sharing one
// (two Raft peers with one id would break vote and log uniqueness).
import type { PeerId } from '@meshraft/core';

/** The subset of the Storage (web storage) API identity needs. */
export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The subset of navigator.locks identity needs. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

export interface TabIdentity {
  peerId: PeerId;
  /** True when the id was minted now (first load or duplicated tab), false when reused from sessionStorage. */
  minted: boolean;
  /** Releases the Web Lock (close()); the id stays in sessionStorage for the next load. */
  release(): void;
}

export interface AcquireIdentityOptions {
  /** Separates identities of different groups in one tab (the signaling room id). */
  scope: string;
  session: SessionStore;
  locks: LockManagerLike;
  mintId?: () => PeerId;
  /**
   * How long to wait for a held lock before deciding the tab is a duplicate. A reload can start the
   * new document a moment before the old one's locks are released; a duplicate waits this long once.
   */
  contendedWaitMs?: number;
}

export function mintPeerId(): PeerId {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `p-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function sessionKey(scope: string): string {
  return `meshraft:peer-id:${scope}`;
}

export function lockName(peerId: PeerId): string {
  return `meshraft:peer:${peerId}`;
}

/**
 * Drop the stored id of `scope` if it is `peerId` (that peer was removed from the group and can
 * never rejoin under its id): the next acquireTabIdentity mints a new one.
 */
export function forgetTabIdentity(session: SessionStore, scope: string, peerId: PeerId): void {
  if (session.getItem(sessionKey(scope)) === peerId) session.removeItem(sessionKey(scope));
}

/** Holds the named lock until release() is called; resolves null when it could not be taken. */
async function holdLock(locks: LockManagerLike, name: string, waitMs: number): Promise<(() => void) | null> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const acquired = new Promise<boolean>((resolve) => {
    const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    locks
      .request(name, options, async (lock) => {
        if (lock === null) {
          resolve(false);
          return;
        }
        resolve(true);
        await held;
      })
      .catch(() => resolve(false)); // AbortError: the wait ran out
  });
  return (await acquired) ? release : null;
}

/** Returns this tab's peer id, holding its lock; mints a new id when another tab holds the stored one. */
export async function acquireTabIdentity(options: AcquireIdentityOptions): Promise<TabIdentity> {
  const { session, locks, scope } = options;
  const mint = options.mintId ?? mintPeerId;
  const key = sessionKey(scope);
  const stored = session.getItem(key);
  if (stored !== null) {
    const release =
      (await holdLock(locks, lockName(stored), 0)) ?? (await holdLock(locks, lockName(stored), options.contendedWaitMs ?? 400));
    if (release) return { peerId: stored, minted: false, release };
  }
  // No id yet, or a live tab (the original of a duplicate) holds it: a fresh id is never contended.
  for (let attempt = 0; attempt < 5; attempt++) {
    const peerId = mint();
    const release = await holdLock(locks, lockName(peerId), 0);
    if (release) {
      session.setItem(key, peerId);
      return { peerId, minted: true, release };
    }
  }
  throw new Error('meshraft: could not acquire a Web Lock for a freshly minted peer id');
}
