// storageHoldsNothing: whether a fixed identity's storage is empty, which decides whether the peer
// gossips itself pristine (new peers of other browsers then do not wait for it to found a group).
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type Storage } from '@meshraft/core';
import { storageHoldsNothing } from '../src/runtime/storage';

describe('storageHoldsNothing', () => {
  it("memory storage always starts empty: 'memory' holds nothing", async () => {
    expect(await storageHoldsNothing('memory', 'p1')).toBe(true);
  });

  it('a custom storage holds nothing until it has a term, a vote or an entry', async () => {
    const fresh = createMemoryStorage();
    expect(await storageHoldsNothing(fresh, 'p1')).toBe(true);

    const voted = createMemoryStorage();
    await voted.persist({ entries: [], hardState: { term: 2, vote: 'p2', commit: 0 } });
    expect(await storageHoldsNothing(voted, 'p1')).toBe(false);

    const logged = createMemoryStorage();
    await logged.persist({ entries: [{ index: 1, term: 0, kind: 'noop' }], hardState: { term: 0, vote: null, commit: 0 } });
    expect(await storageHoldsNothing(logged, 'p1')).toBe(false);
  });

  it('any doubt answers false: a storage that fails to answer, or IndexedDB where there is none', async () => {
    const failing: Storage = Object.assign(createMemoryStorage(), { hardState: async () => Promise.reject(new Error('disk gone')) });
    expect(await storageHoldsNothing(failing, 'p1')).toBe(false);
    // Node has no indexedDB: the probe cannot look, so the peer is taken for a member.
    expect(await storageHoldsNothing('indexeddb', 'p1')).toBe(false);
  });
});
