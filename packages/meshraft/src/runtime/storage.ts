// Opening the storage a peer was configured with. In a browser, IndexedDB storage is a slot of the
// profile (browser/local-slots.ts): a database that changes hands between identities, so a log
// outlives the tab that wrote it. Without a slot (an explicit peerId), one database per peer id.
import { createMemoryStorage, type PeerId, type Storage } from '@meshraft/core';
import type { StorageOption } from '../options';
import type { StorageLifecycle } from './engine-runtime';

export async function openStorage(option: StorageOption, peerId: PeerId, dbName?: string): Promise<Storage> {
  if (option === 'memory') return createMemoryStorage();
  if (option === 'indexeddb') {
    // Imported lazily so the Node entry never loads IndexedDB code.
    const { openIdbStorage } = await import('@meshraft/idb');
    return openIdbStorage({ peerId, dbName });
  }
  return option;
}

/**
 * Storage for a new identity of this peer (it was removed from the group, or it departed and came
 * back). A slot is handed over with its log (a warm start: only the vote goes); a database per peer
 * id is deleted and a new one opened; memory storage starts empty. A custom Storage object is one
 * store the runtime cannot re-create: none (such a peer stays out).
 */
export function storageLifecycle(option: StorageOption, dbName?: string): StorageLifecycle | undefined {
  if (typeof option !== 'string') return undefined;
  return {
    async open(peerId) {
      if (option !== 'indexeddb' || dbName === undefined) return openStorage(option, peerId);
      const { openIdbStorage } = await import('@meshraft/idb');
      const storage = await openIdbStorage({ peerId, dbName });
      await storage.handOver(peerId);
      return storage;
    },
    async forget(peerId) {
      if (option !== 'indexeddb' || dbName !== undefined) return; // memory vanishes with its host; a slot is kept
      const { deleteIdbStorage } = await import('@meshraft/idb');
      await deleteIdbStorage(peerId);
    },
  };
}
