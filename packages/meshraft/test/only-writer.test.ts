// One writer per database: a tab's storage opens a slot's database only once the previous writer
// (the Worker of a page that just went away) let it go, and lets it go itself when it closes.
import { describe, expect, it } from 'vitest';
import { openAsOnlyWriter, writerLockName } from '../src/runtime/only-writer';
import { MemoryLocks } from './support/memory-locks';

class FakeStorage {
  closed = false;
  constructor(readonly label: string) {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('openAsOnlyWriter', () => {
  it('waits while the previous writer has the database open, and opens once it stops', async () => {
    const locks = new MemoryLocks();
    const first = await openAsOnlyWriter(locks.forTab('old-worker'), 'db-1', async () => new FakeStorage('old'));
    expect(first.locked).toBe(true);
    expect(locks.heldBy('old-worker')).toEqual([writerLockName('db-1')]);

    const opened: string[] = [];
    const second = openAsOnlyWriter(locks.forTab('new-worker'), 'db-1', async () => {
      opened.push('new');
      return new FakeStorage('new');
    });
    await tick();
    expect(opened).toEqual([]); // the old Worker still runs: nothing opened yet
    expect(locks.pending()).toEqual([`new-worker:${writerLockName('db-1')}`]);

    locks.crash('old-worker'); // its page is gone and the browser stopped it: its locks are freed
    const { storage, locked } = await second;
    expect(opened).toEqual(['new']);
    expect(locked).toBe(true);
    expect(storage.label).toBe('new');
    expect(locks.heldBy('new-worker')).toEqual([writerLockName('db-1')]);
  });

  it('lets the database go when the storage closes, and another database is never waited for', async () => {
    const locks = new MemoryLocks();
    const tab = locks.forTab('worker');
    const a = await openAsOnlyWriter(tab, 'db-a', async () => new FakeStorage('a'));
    // Another database of the same thread opens at once.
    const b = await openAsOnlyWriter(tab, 'db-b', async () => new FakeStorage('b'));
    expect(locks.heldBy('worker').sort()).toEqual([writerLockName('db-a'), writerLockName('db-b')]);
    await a.storage.close();
    expect(a.storage.closed).toBe(true);
    await tick(); // the lock manager frees it once the holder's callback returned
    expect(locks.heldBy('worker')).toEqual([writerLockName('db-b')]);
    // The same database opens again once closed (a reset reopening its slot).
    const again = await openAsOnlyWriter(tab, 'db-a', async () => new FakeStorage('a2'));
    expect(again.locked).toBe(true);
    await Promise.all([again.storage.close(), b.storage.close()]);
    await tick();
    expect(locks.heldBy('worker')).toEqual([]);
  });

  it('frees the lock when opening fails, and opens anyway when the previous writer never stops', async () => {
    const locks = new MemoryLocks();
    await expect(openAsOnlyWriter(locks.forTab('w1'), 'db', async () => Promise.reject(new Error('quota')))).rejects.toThrow('quota');
    expect(locks.heldBy('w1')).toEqual([]);

    await openAsOnlyWriter(locks.forTab('stuck'), 'db', async () => new FakeStorage('stuck'));
    const late = await openAsOnlyWriter(locks.forTab('w2'), 'db', async () => new FakeStorage('late'), 30);
    expect(late.locked).toBe(false); // waited 30 ms, then opened without the lock
    expect(late.storage.label).toBe('late');
    await late.storage.close(); // nothing to release: the stuck writer keeps its lock
    expect(locks.heldBy('stuck')).toEqual([writerLockName('db')]);
  });

  it('opens at once without Web Locks', async () => {
    const { storage, locked } = await openAsOnlyWriter(undefined, 'db', async () => new FakeStorage('x'));
    expect(locked).toBe(false);
    expect(storage.label).toBe('x');
  });
});
