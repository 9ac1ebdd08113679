// Opening the storage a peer was configured with. IndexedDB gets one database per peer id
// (DESIGN §3), so a duplicated tab (new peer id) never shares a log with its original.
import { createMemoryStorage, type PeerId, type Storage } from '@meshraft/core';
import type { StorageOption } from '../options';
import type { StorageLifecycle } from './engine-runtime';

export async function openStorage(option: StorageOption, peerId: PeerId): Promise<Storage> {
  if (option === 'memory') return createMemoryStorage();
  if (option === 'indexeddb') {
    // Imported lazily so the Node entry never loads IndexedDB code.
    const { openIdbStorage } = await import('@meshraft/idb');
    return openIdbStorage({ peerId });
  }
  return option;
}

/**
 * Open / delete per peer id, for starting over under a new id after this peer was removed. A custom
 * Storage object is one store the runtime cannot re-create: none (such a peer stays removed).
 */
export function storageLifecycle(option: StorageOption): StorageLifecycle | undefined {
  if (typeof option !== 'string') return undefined;
  return {
    open: (peerId) => openStorage(option, peerId),
    async forget(peerId) {
      if (option !== 'indexeddb') return; // memory storage vanishes with its host
      const { deleteIdbStorage } = await import('@meshraft/idb');
      await deleteIdbStorage(peerId);
    },
  };
}
