// MemoryStorage: the shared conformance suite, plus what only the memory backend offers
// (from/dump for crash simulation, validation details).
import { describe, expect, it } from 'vitest';
import { MemoryStorage, createMemoryDisk, createMemoryStorage } from '../src/storage-memory/index';
import { storageConformanceCases } from '../src/testing/index';
import { InvalidBatchError } from '../src/storage-checks';
import type { PersistedState } from '../src/storage';

describe('MemoryStorage conformance', () => {
  for (const testCase of storageConformanceCases()) {
    it(testCase.name, async () => {
      const disk = createMemoryDisk(); // one backing store per case, shared by every makeStorage() call
      await testCase.run(async () => createMemoryStorage(disk));
    });
  }
});

const state: PersistedState = {
  hardState: { term: 3, vote: 'a', commit: 4 },
  snapshot: { meta: { index: 2, term: 1, membership: { voters: ['a'], learners: [] } }, data: new Uint8Array([9]) },
  entries: [
    { kind: 'noop', index: 3, term: 2 },
    { kind: 'command', index: 4, term: 3, data: new Uint8Array([1]), client: { clientId: 'c', seq: 1 } },
  ],
};

describe('MemoryStorage crash simulation', () => {
  it('from(state) and dump() are deep copies', async () => {
    const input = structuredClone(state);
    const storage = MemoryStorage.from(input);
    (input.entries[1] as { data: Uint8Array }).data[0] = 77;
    input.hardState.term = 100;
    expect(await storage.load()).toEqual(state);
    const dumped = storage.dump();
    dumped.entries.pop();
    expect(storage.dump()).toEqual(state);
    expect(await storage.last()).toEqual({ index: 4, term: 3 });
  });

  it('dump() still works after close (a crashed peer restarts from it)', async () => {
    const storage = MemoryStorage.from(state);
    await storage.persist({ entries: [{ kind: 'noop', index: 5, term: 3 }] });
    await storage.close();
    const restarted = MemoryStorage.from(storage.dump());
    expect((await restarted.last()).index).toBe(5);
  });

  it('from() refuses an inconsistent state', () => {
    expect(() => MemoryStorage.from({ ...state, entries: [{ kind: 'noop', index: 4, term: 2 }] })).toThrow(InvalidBatchError);
    expect(() => MemoryStorage.from({ ...state, hardState: { term: -1, vote: null, commit: 0 } })).toThrow(InvalidBatchError);
  });
});

describe('MemoryStorage batch validation', () => {
  it('names the problem of a non-contiguous batch', async () => {
    const storage = createMemoryStorage();
    await expect(storage.persist({ entries: [{ kind: 'noop', index: 2, term: 1 }] })).rejects.toThrow(/entries start at 2, expected 1/);
  });

  it('refuses decreasing terms, malformed entries and a decreasing hard-state term', async () => {
    const storage = MemoryStorage.from(state);
    const bad: unknown[] = [
      { entries: [{ kind: 'noop', index: 5, term: 2 }] }, // term below the last entry's 3
      { entries: [{ kind: 'command', index: 5, term: 3, data: 'x' }] },
      { entries: [{ kind: 'weird', index: 5, term: 3 }] },
      { entries: [{ kind: 'noop', index: 5, term: 3.5 }] },
      { entries: [], hardState: { term: 2, vote: null, commit: 0 } },
      { entries: [], truncateFrom: 2 },
      { entries: 'nope' },
    ];
    for (const batch of bad) await expect(storage.persist(batch as never), JSON.stringify(batch)).rejects.toThrow(InvalidBatchError);
    expect(storage.dump()).toEqual(state);
  });

  it('a batch right after a snapshot install continues from the snapshot term', async () => {
    const storage = createMemoryStorage();
    await storage.persist({ snapshot: { meta: { index: 10, term: 4, membership: { voters: [], learners: [] } }, data: new Uint8Array() }, entries: [{ kind: 'noop', index: 11, term: 3 }] }).then(
      () => expect.unreachable('term 3 after a snapshot of term 4 must be refused'),
      (error: unknown) => expect(error).toBeInstanceOf(InvalidBatchError),
    );
    expect(await storage.last()).toEqual({ index: 0, term: 0 });
  });
});
