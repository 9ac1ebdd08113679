// Opening the storage a peer was configured with. In a browser, IndexedDB storage is a slot of the
// profile (browser/local-slots.ts): a database that changes hands between identities, so a log
// outlives the tab that wrote it. Without a slot (an explicit peerId), one database per peer id.
import { createMemoryStorage, type HardState, type PeerId, type Storage } from '@meshraft/core';
import type { StorageOption } from '../options';
import type { StorageLifecycle } from './engine-runtime';
import { openAsOnlyWriter, threadLocks } from './only-writer';
import type { IdbStorage, StorageDurability } from '@meshraft/idb';

/** `durability`: IndexedDB's hint for every write (CreateGroupOptions.durability; IdbStorage's default when absent). */
export async function openStorage(option: StorageOption, peerId: PeerId, dbName?: string, durability?: StorageDurability): Promise<Storage> {
  if (option === 'memory') return createMemoryStorage();
  if (option === 'indexeddb') return openIdbAsOnlyWriter(peerId, dbName, durability);
  return option;
}

/** An IndexedDB database nobody else writes while this storage has it open (only-writer.ts). */
async function openIdbAsOnlyWriter(peerId: PeerId, dbName: string | undefined, durability: StorageDurability | undefined): Promise<IdbStorage> {
  // Imported lazily so the Node entry never loads IndexedDB code.
  const { defaultDbName, openIdbStorage } = await import('@meshraft/idb');
  const name = dbName ?? defaultDbName(peerId);
  const { storage } = await openAsOnlyWriter(threadLocks(), name, () => openIdbStorage({ peerId, dbName: name, durability }));
  return storage;
}

/**
 * Storage for a new identity of this peer (it was removed from the group, or it departed and came
 * back). A slot is handed over with its log (a warm start: only the vote goes); a database per peer
 * id is deleted and a new one opened; memory storage starts empty. A custom Storage object is one
 * store the runtime cannot re-create: none (such a peer stays out).
 */
export function storageLifecycle(option: StorageOption, initialDbName?: string, durability?: StorageDurability): StorageLifecycle | undefined {
  if (typeof option !== 'string') return undefined;
  let dbName = initialDbName;
  return {
    async open(peerId, movedTo) {
      if (movedTo !== undefined) dbName = movedTo;
      if (option !== 'indexeddb' || dbName === undefined) return openStorage(option, peerId, undefined, durability);
      const storage = await openIdbAsOnlyWriter(peerId, dbName, durability);
      try {
        await storage.handOver(peerId);
      } catch (error) {
        // Closing lets the writer lock go: a retry would otherwise wait for our own lock.
        await storage.close().catch(() => {});
        throw error;
      }
      return storage;
    },
    async forget(peerId) {
      if (option !== 'indexeddb' || dbName !== undefined) return; // memory vanishes with its host; a slot is kept
      const { deleteIdbStorage } = await import('@meshraft/idb');
      await deleteIdbStorage(peerId);
    },
  };
}

/**
 * Whether the storage `peerId` would start on holds nothing: no term, no vote, no log, no snapshot
 * (a fixed identity's claim says so as PeerView.pristine, so new peers of other browsers do not wait
 * for it). Memory storage always starts empty. An IndexedDB database is looked at only if it exists
 * (a look would create it); a custom Storage object through its own accessors. Any doubt (an error,
 * no way to list databases) answers false: the peer is then taken for a member, as before.
 */
export async function storageHoldsNothing(option: StorageOption, peerId: PeerId): Promise<boolean> {
  const empty = (hard: HardState, last: { index: number }) => hard.term === 0 && hard.vote === null && last.index === 0;
  try {
    if (option === 'memory') return true;
    if (option === 'indexeddb') {
      if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return false;
      const { defaultDbName, openIdbStorage } = await import('@meshraft/idb');
      const dbName = defaultDbName(peerId);
      if (!(await indexedDB.databases()).some((db) => db.name === dbName)) return true;
      const storage = await openIdbStorage({ peerId });
      try {
        return empty(await storage.hardState(), await storage.last());
      } finally {
        await storage.close();
      }
    }
    return empty(await option.hardState(), await option.last());
  } catch {
    return false;
  }
}
