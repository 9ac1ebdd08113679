// The IndexedDB layout of one peer's Raft storage, and opening/deleting that database.
// One database per peer id, so two peers in one origin (two tabs) never share a log.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { HardState, LogEntry, SnapshotMeta } from '@meshraft/core';

/** Bumped when the layout changes; the upgrade callback builds the stores. */
export const SCHEMA_VERSION = 1;

export const ENTRIES = 'entries';
export const META = 'meta';
export const SNAPSHOT = 'snapshot';

/** Keys of the `meta` store. */
export const HARD_STATE_KEY = 'hardState';
export const SNAPSHOT_META_KEY = 'snapshot';
/** The peer id whose log this database holds (a browser slot changes hands between identities). */
export const IDENTITY_KEY = 'identity';

/** What `meta` holds under SNAPSHOT_META_KEY: the snapshot's metadata and how its bytes are chunked. */
export interface StoredSnapshotMeta {
  kind: 'snapshot';
  meta: SnapshotMeta;
  /** Total byte length of the snapshot data. */
  size: number;
  /** Number of chunks in the `snapshot` store, keyed 0..chunkCount-1. */
  chunkCount: number;
}

export interface StoredHardState {
  kind: 'hardState';
  hardState: HardState;
}

export interface StoredIdentity {
  kind: 'identity';
  peerId: string;
}

export type MetaRecord = StoredSnapshotMeta | StoredHardState | StoredIdentity;

export interface MeshraftIdbSchema extends DBSchema {
  /** key = log index, value = the LogEntry itself (structured clone keeps Uint8Array intact). */
  entries: { key: number; value: LogEntry };
  meta: { key: string; value: MetaRecord };
  /** key = chunk number, value = that slice of the snapshot bytes. */
  snapshot: { key: number; value: Uint8Array };
}

export type MeshraftIdb = IDBPDatabase<MeshraftIdbSchema>;

export function defaultDbName(peerId: string): string {
  return `meshraft-${peerId}`;
}

export interface OpenHooks {
  /** Another connection wants to delete or upgrade this database: we must let go. */
  onBlocking(): void;
  /** The browser closed the connection abnormally (storage cleared, disk error). */
  onTerminated(): void;
}

export async function openMeshraftDb(dbName: string, hooks: OpenHooks): Promise<MeshraftIdb> {
  return openDB<MeshraftIdbSchema>(dbName, SCHEMA_VERSION, {
    upgrade(db) {
      // Version 1 is the only layout so far: create whatever is missing.
      if (!db.objectStoreNames.contains(ENTRIES)) db.createObjectStore(ENTRIES);
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      if (!db.objectStoreNames.contains(SNAPSHOT)) db.createObjectStore(SNAPSHOT);
    },
    blocking: hooks.onBlocking,
    terminated: hooks.onTerminated,
  });
}

/** Deletes a database; resolves once it is gone (waits while another connection still holds it open). */
export async function deleteMeshraftDb(dbName: string): Promise<void> {
  await deleteDB(dbName);
}
