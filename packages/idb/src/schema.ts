// The IndexedDB layout of one peer's Raft storage, and opening/deleting that database.
// One database per peer id, so two peers in one origin (two tabs) never share a log.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { packEntries, type HardState, type LogEntry, type PackedEntries, type SnapshotMeta } from '@meshraft/core';

/**
 * Bumped when the layout changes; the upgrade callback builds the stores and moves data over.
 * 1: one `entries` record per log entry. 2: the log in `log`, one record per persisted run of
 * entries (a LogRun), so a batch of 2,000 entries is one IndexedDB write instead of 2,000.
 */
export const SCHEMA_VERSION = 2;

/** Version 1's store of single entries (read once by the upgrade to version 2, then deleted). */
export const LEGACY_ENTRIES = 'entries';
export const LOG = 'log';
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

/**
 * A run of contiguous log entries stored as one record under the index of its first entry, packed
 * (@meshraft/core packEntries: all command bytes in one buffer, numbers in typed arrays), so storing
 * 2,000 entries clones a few buffers rather than 2,000 objects. Runs never overlap; truncation and
 * compaction rewrite the one run they cut through.
 */
export type LogRun = PackedEntries;

export interface MeshraftIdbSchema extends DBSchema {
  /** key = index of the run's first entry (structured clone keeps each Uint8Array intact). */
  log: { key: number; value: LogRun };
  meta: { key: string; value: MetaRecord };
  /** key = chunk number, value = that slice of the snapshot bytes. */
  snapshot: { key: number; value: Uint8Array };
}

export type MeshraftIdb = IDBPDatabase<MeshraftIdbSchema>;

/** Entries per run when version 1's single entries are moved into runs. */
const UPGRADE_RUN_ENTRIES = 1024;

export function defaultDbName(peerId: string): string {
  return `meshraft-${peerId}`;
}

export interface OpenHooks {
  /** Another connection wants to delete or upgrade this database: we must let go. */
  onBlocking(): void;
  /** The browser closed the connection abnormally (storage cleared, disk error). */
  onTerminated(): void;
}

/**
 * Opens (or creates) the database; with `existingOnly`, resolves null instead of creating one that
 * does not exist. Opening a missing database always creates it, so that open aborts its upgrade
 * transaction, which undoes the creation (IndexedDB: an aborted upgrade of a new database leaves
 * no database behind).
 */
export async function openMeshraftDb(dbName: string, hooks: OpenHooks, existingOnly = false): Promise<MeshraftIdb | null> {
  let refused = false;
  try {
    return await openDB<MeshraftIdbSchema>(dbName, SCHEMA_VERSION, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion === 0 && existingOnly) {
          refused = true;
          tx.done.catch(() => {}); // its rejection is the expected outcome, not an unhandled one
          tx.abort();
          return;
        }
        if (!db.objectStoreNames.contains(LOG)) db.createObjectStore(LOG);
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
        if (!db.objectStoreNames.contains(SNAPSHOT)) db.createObjectStore(SNAPSHOT);
        // Version 1 kept one record per entry: move them into runs, inside this upgrade transaction
        // (all or nothing), then drop the old store.
        const legacy = db.objectStoreNames as DOMStringList;
        if (oldVersion >= 1 && legacy.contains(LEGACY_ENTRIES)) {
          const untyped = tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>;
          const entries = (await untyped.objectStore(LEGACY_ENTRIES).getAll()) as LogEntry[];
          const log = tx.objectStore(LOG);
          for (let i = 0; i < entries.length; i += UPGRADE_RUN_ENTRIES) {
            const run = entries.slice(i, i + UPGRADE_RUN_ENTRIES);
            await log.put(packEntries(run), run[0].index);
          }
          (db as unknown as IDBPDatabase).deleteObjectStore(LEGACY_ENTRIES);
        }
      },
      blocking: hooks.onBlocking,
      terminated: hooks.onTerminated,
    });
  } catch (error) {
    if (refused) return null;
    throw error;
  }
}

/** Deletes a database; resolves once it is gone (waits while another connection still holds it open). */
export async function deleteMeshraftDb(dbName: string): Promise<void> {
  await deleteDB(dbName);
}
