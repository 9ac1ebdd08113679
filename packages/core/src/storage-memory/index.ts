// Public exports of storage-memory/: the in-memory Storage. The reusable conformance suite
// (conformance.ts, conformance-assert.ts) is test machinery, exported by src/testing/index.ts.
export {
  MemoryStorage,
  createMemoryStorage,
  createMemoryDisk,
  emptyPersistedState,
  type MemoryDisk,
} from './memory-storage';
