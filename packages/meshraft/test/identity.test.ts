import { describe, expect, it } from 'vitest';
import { acquireTabIdentity, lockName, sessionKey, type LockManagerLike, type SessionStore } from '../src/identity';

/** An in-memory model of navigator.locks (exclusive locks, ifAvailable and abort signals). */
function fakeLocks(): LockManagerLike & { held: Set<string> } {
  const held = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  const locks = {
    held,
    async request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>) {
      if (held.has(name)) {
        if (options.ifAvailable) return callback(null);
        await new Promise<void>((resolve, reject) => {
          const queue = waiters.get(name) ?? [];
          queue.push(resolve);
          waiters.set(name, queue);
          options.signal?.addEventListener('abort', () => {
            waiters.set(name, (waiters.get(name) ?? []).filter((w) => w !== resolve));
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      }
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
        waiters.get(name)?.shift()?.();
      }
    },
  };
  return locks;
}

function fakeSession(initial: Record<string, string> = {}): SessionStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

let counter = 0;
const mintId = () => `p-${++counter}`;

describe('acquireTabIdentity', () => {
  it('mints an id on first load and stores it in sessionStorage', async () => {
    const session = fakeSession();
    const locks = fakeLocks();
    const identity = await acquireTabIdentity({ scope: 'room', session, locks, mintId });
    expect(identity.minted).toBe(true);
    expect(session.getItem(sessionKey('room'))).toBe(identity.peerId);
    expect(locks.held.has(lockName(identity.peerId))).toBe(true);
    identity.release();
  });

  it('keeps the id across a reload (lock released by the old document)', async () => {
    const session = fakeSession();
    const locks = fakeLocks();
    const first = await acquireTabIdentity({ scope: 'room', session, locks, mintId });
    first.release();
    await Promise.resolve();
    const second = await acquireTabIdentity({ scope: 'room', session, locks, mintId });
    expect(second.peerId).toBe(first.peerId);
    expect(second.minted).toBe(false);
    second.release();
  });

  it('waits briefly for a lock the previous document is still releasing', async () => {
    const session = fakeSession();
    const locks = fakeLocks();
    const first = await acquireTabIdentity({ scope: 'room', session, locks, mintId });
    setTimeout(() => first.release(), 20);
    const second = await acquireTabIdentity({ scope: 'room', session, locks, mintId, contendedWaitMs: 2000 });
    expect(second.peerId).toBe(first.peerId);
    second.release();
  });

  it('mints a new id in a duplicated tab whose original still holds the lock', async () => {
    const original = fakeSession();
    const locks = fakeLocks();
    const first = await acquireTabIdentity({ scope: 'room', session: original, locks, mintId });
    const duplicate = fakeSession(Object.fromEntries(original.data));
    const second = await acquireTabIdentity({ scope: 'room', session: duplicate, locks, mintId, contendedWaitMs: 30 });
    expect(second.peerId).not.toBe(first.peerId);
    expect(second.minted).toBe(true);
    expect(duplicate.getItem(sessionKey('room'))).toBe(second.peerId);
    expect(original.getItem(sessionKey('room'))).toBe(first.peerId);
    first.release();
    second.release();
  });

  it('keeps identities of different groups apart', async () => {
    const session = fakeSession();
    const locks = fakeLocks();
    const a = await acquireTabIdentity({ scope: 'room-a', session, locks, mintId });
    const b = await acquireTabIdentity({ scope: 'room-b', session, locks, mintId });
    expect(a.peerId).not.toBe(b.peerId);
    a.release();
    b.release();
  });
});
