// Peer ids and Web Locks. A browser peer's id belongs to a slot of the profile (see
// browser/local-slots.ts), and a Web Lock held for the tab's whole life proves no other live tab
// uses that slot: two Raft peers with one id would break vote and log uniqueness.
import type { PeerId } from '@meshraft/core';

/** The subset of navigator.locks the runtime needs. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal; mode?: 'exclusive' | 'shared' },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
  /** The locks held now (the slot clean-up and the liveness watch read it). */
  query?(): Promise<{ held?: Array<{ name?: string }> }>;
}

export function mintPeerId(): PeerId {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `p-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Holds the named lock until release() is called; resolves null when it could not be taken. */
export async function holdLock(locks: LockManagerLike, name: string, waitMs: number): Promise<(() => void) | null> {
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

