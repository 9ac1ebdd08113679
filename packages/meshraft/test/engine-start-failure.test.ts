// An in-process engine that fails to start after its storage was opened (its log cannot be read)
// lets that storage go: nothing else would ever close it, and an IndexedDB slot would keep its
// connection and writer lock until the page unloads.
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type PeerId, type StateMachine, type Storage } from '@meshraft/core';
import { startInProcessEngine } from '../src/runtime/in-process-engine';

class Sum implements StateMachine<number, 'sum', number, number> {
  sum = 0;
  apply(n: number): number {
    return (this.sum += n);
  }
  query(): number {
    return this.sum;
  }
}

/** Memory storage whose load() fails, counting its closes. */
function unreadableStorage(): { storage: Storage; closes: () => number } {
  const storage = createMemoryStorage();
  let closes = 0;
  const close = storage.close.bind(storage);
  storage.load = () => Promise.reject(new Error('the log cannot be read'));
  storage.close = async () => {
    closes++;
    await close();
  };
  return { storage, closes: () => closes };
}

const args = { peerId: 'p1' as PeerId, bootstrap: undefined, refound: false, peers: [], transmit: () => {}, localSecret: null, preference: 'normal' as const, config: {} };

describe('an in-process engine that fails to start', () => {
  it('closes the storage it was given (a custom Storage object), once', async () => {
    const { storage, closes } = unreadableStorage();
    await expect(startInProcessEngine({ ...args, storage, stateMachine: new Sum() })).rejects.toThrow('the log cannot be read');
    expect(closes()).toBe(1);
  });

  it('closes the storage it opened through its storage lifecycle, once', async () => {
    const opened: Array<ReturnType<typeof unreadableStorage>> = [];
    const storageLifecycle = {
      async open() {
        const made = unreadableStorage();
        opened.push(made);
        return made.storage;
      },
      async forget() {},
    };
    await expect(startInProcessEngine({ ...args, storage: 'memory', storageLifecycle, stateMachine: new Sum() })).rejects.toThrow('the log cannot be read');
    expect(opened.map((o) => o.closes())).toEqual([1]);
  });
});
