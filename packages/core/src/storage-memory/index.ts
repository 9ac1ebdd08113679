// Public exports of storage-memory/: the in-memory Storage and the reusable conformance suite.
export {
  MemoryStorage,
  createMemoryStorage,
  createMemoryDisk,
  emptyPersistedState,
  type MemoryDisk,
} from './memory-storage';
export { storageConformanceCases, type StorageConformanceCase } from './conformance';
export { ConformanceError, deepEqual } from './conformance-assert';
