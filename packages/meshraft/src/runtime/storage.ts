// Opening the storage a peer was configured with. IndexedDB gets one database per peer id
// (DESIGN §3), so a duplicated tab (new peer id) never shares a log with its original.
import { createMemoryStorage, type PeerId, type Storage } from '@meshraft/core';
import type { StorageOption } from '../options';

export async function openStorage(option: StorageOption, peerId: PeerId): Promise<Storage> {
  if (option === 'memory') return createMemoryStorage();
  if (option === 'indexeddb') {
    // Imported lazily so the Node entry never loads IndexedDB code.
    const { openIdbStorage } = await import('@meshraft/idb');
    return openIdbStorage({ peerId });
  }
  return option;
}
