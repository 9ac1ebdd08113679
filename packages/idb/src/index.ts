// @meshraft/idb: IndexedDB storage for meshraft peers (browser windows and Web Workers).
export {
  IdbStorage,
  openIdbStorage,
  openExistingIdbStorage,
  deleteIdbStorage,
  isStorageDurability,
  type IdbStorageOptions,
  type StorageDurability,
} from './idb-storage';
export { defaultDbName, SCHEMA_VERSION } from './schema';
export { DEFAULT_SNAPSHOT_CHUNK_BYTES } from './bytes';
