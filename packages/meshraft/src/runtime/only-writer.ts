// One writer per database at a time. A slot's database changes hands between tabs (a reload, a
// close and a later open, an adopted crash): the page that goes away gives the slot's lock up in
// `pagehide`, but its engine Worker stops a moment later, and a write it had in flight, or a batch
// it was about to start, may still land. The next writer must start from a database nobody else
// writes any more: the log it loads is the log it appends to (IdbStorage keeps where its log
// stands between batches, and two writers would each append to a log the other changed).
//
// So whoever opens the database for writing (the Worker, in a browser) holds a Web Lock named for
// it until it closes the storage or stops: the browser frees a stopped Worker's locks, and a
// tab's Worker stops when its page is gone, normally long before the next page opens the slot.
import { holdLock, type LockManagerLike } from '../identity';

export const writerLockName = (dbName: string) => `meshraft:writer:${dbName}`;

/**
 * How long an opening writer waits for the previous one to stop. A Worker whose page is gone does
 * not outlive it by much; one that did (a browser that kept it running) is not waited for forever,
 * or the tab would never start: after this wait the database is opened anyway.
 */
export const WRITER_LOCK_WAIT_MS = 10_000;

export interface ClosableStorage {
  close(): Promise<void>;
}

/**
 * Opens a database with `open` once no other writer holds it (`locks`: the Web Locks of this
 * thread; absent, it opens at once), and keeps it until the storage is closed. Returns the storage
 * and whether the lock was held (false: no Web Locks, or the wait ran out).
 */
export async function openAsOnlyWriter<S extends ClosableStorage>(
  locks: LockManagerLike | undefined,
  dbName: string,
  open: () => Promise<S>,
  waitMs = WRITER_LOCK_WAIT_MS,
): Promise<{ storage: S; locked: boolean }> {
  const release = locks ? await holdLock(locks, writerLockName(dbName), waitMs).catch(() => null) : null;
  let storage: S;
  try {
    storage = await open();
  } catch (error) {
    release?.();
    throw error;
  }
  if (release) {
    const close = storage.close.bind(storage);
    storage.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
  }
  return { storage, locked: release !== null };
}

/** This thread's Web Locks (a page's or a Worker's navigator.locks), if it has them. */
export function threadLocks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}
