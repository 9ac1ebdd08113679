// IdbStorage: the Storage interface on IndexedDB (through `idb`). Works in windows and Web Workers.
//
// Durability: every persist(batch) is ONE readwrite transaction, so after a crash the batch is
// either fully visible or not at all (IndexedDB transactions are atomic). Raft needs this because
// a vote or an acknowledged append must never be half-written (Raft Fig. 2: persist before reply).
import type { IDBPObjectStore, IDBPTransaction } from 'idb';
import { ClosedError, InvalidInputError } from '@meshraft/core';
import type { HardState, LogEntry, PersistBatch, PersistedState, Snapshot, SnapshotMeta, Storage } from '@meshraft/core';
import { DEFAULT_SNAPSHOT_CHUNK_BYTES, joinChunks, splitIntoChunks } from './bytes';
import { checkBatchShape, handedOverCommit, planBatch, type BatchPlan, type StoredPosition } from '@meshraft/core';
import {
  HARD_STATE_KEY,
  IDENTITY_KEY,
  LOG,
  META,
  SNAPSHOT,
  SNAPSHOT_META_KEY,
  defaultDbName,
  deleteMeshraftDb,
  openMeshraftDb,
  type MeshraftIdb,
  type MeshraftIdbSchema,
  type MetaRecord,
  type StoredSnapshotMeta,
} from './schema';
import { appendRun, deleteFrom, deleteThrough, entriesBetween, entryAt, flatten, lastEntry, lastWithinTerm } from './log-runs';

export interface IdbStorageOptions {
  peerId: string;
  /** Database name; defaults to `meshraft-${peerId}` (one database per peer id). */
  dbName?: string;
  /** Snapshot bytes are stored in chunks of at most this size (default 1 MiB). */
  snapshotChunkBytes?: number;
  /**
   * The durability hint of every write transaction (IndexedDB's `durability`). 'relaxed' (default):
   * a batch counts as stored once the browser handed it to the operating system; it survives a
   * crash of the tab or of the browser, not a crash of the operating system or a power loss.
   * 'strict': once the browser flushed it to the disk, which survives those too and makes every
   * write slower by a disk flush.
   */
  durability?: StorageDurability;
}

/** How far a write must have gone before IdbStorage counts it as stored (IdbStorageOptions.durability). */
export type StorageDurability = 'relaxed' | 'strict';

const DURABILITIES: readonly StorageDurability[] = ['relaxed', 'strict'];

/** Whether `value` names a StorageDurability. */
export function isStorageDurability(value: unknown): value is StorageDurability {
  return DURABILITIES.includes(value as StorageDurability);
}

const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };

/** Opens (creating if needed) the database of `peerId` and returns a Storage over it. */
export async function openIdbStorage(options: IdbStorageOptions): Promise<IdbStorage> {
  return (await openStorage(options, false))!;
}

/**
 * Like openIdbStorage, but only a database that exists: resolves null, and creates nothing, when
 * there is none (to read what is there without leaving an empty database behind).
 */
export async function openExistingIdbStorage(options: IdbStorageOptions): Promise<IdbStorage | null> {
  return openStorage(options, true);
}

async function openStorage(options: IdbStorageOptions, existingOnly: boolean): Promise<IdbStorage | null> {
  const name = existingOnly ? 'openExistingIdbStorage' : 'openIdbStorage';
  if (typeof options.peerId !== 'string' || options.peerId === '') {
    throw new InvalidInputError(`${name}: peerId must be a non-empty string`);
  }
  const chunkBytes = options.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) {
    throw new InvalidInputError(`${name}: snapshotChunkBytes must be a positive integer`);
  }
  const durability = options.durability ?? 'relaxed';
  if (!isStorageDurability(durability)) {
    throw new InvalidInputError(`${name}: durability must be 'relaxed' or 'strict', got ${String(options.durability)}`);
  }
  const dbName = options.dbName ?? defaultDbName(options.peerId);
  // The hooks need the instance, which needs the db: bind through a late reference.
  let storage: IdbStorage | undefined;
  const hooks = {
    onBlocking: () => storage?.releaseForOtherConnection('another connection is deleting or upgrading the database'),
    onTerminated: () => storage?.releaseForOtherConnection('the browser closed the database connection'),
  };
  const db = await openMeshraftDb(dbName, hooks, existingOnly);
  if (db === null) return null;
  storage = new IdbStorage(db, options.peerId, dbName, chunkBytes, durability);
  return storage;
}

/**
 * Deletes a peer's database: `deleteIdbStorage(peerId)`, or `deleteIdbStorage({ dbName })` for a
 * database opened with an explicit name. For tests and "forget this peer". Waits while another
 * connection holds it (an open IdbStorage gives way and becomes closed).
 */
export async function deleteIdbStorage(target: string | { dbName: string }): Promise<void> {
  await deleteMeshraftDb(typeof target === 'string' ? defaultDbName(target) : target.dbName);
}

export class IdbStorage implements Storage {
  private closedReason: string | null = null;
  /**
   * Where the log stands after the last batch this instance wrote (or loaded): lets a batch that
   * only appends or updates the hard state be checked without reading inside its transaction
   * first (one round trip less per persist). Null until known, after a snapshot or truncation
   * batch, after a failed batch, and while another batch that changes the log is in flight: then
   * it is read.
   */
  private position: Pick<StoredPosition, 'snapshot' | 'last' | 'hardStateTerm'> | null = null;
  /** Batches that change the log (entries, snapshot, truncation, compaction) in flight. */
  private logWrites = 0;
  /** The highest hard-state term loaded or queued. */
  private termFloor = 0;

  constructor(
    private readonly db: MeshraftIdb,
    readonly peerId: string,
    readonly dbName: string,
    private readonly snapshotChunkBytes: number,
    /** The durability hint every write transaction is opened with. */
    readonly durability: StorageDurability,
  ) {}

  /** True once close() was called or the browser/another connection took the database away. */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  async load(): Promise<PersistedState> {
    this.assertOpen('load');
    const tx = this.db.transaction([LOG, META, SNAPSHOT], 'readonly');
    const meta = tx.objectStore(META);
    const [hardRecord, snapRecord, chunks, runs] = await Promise.all([
      meta.get(HARD_STATE_KEY),
      meta.get(SNAPSHOT_META_KEY),
      tx.objectStore(SNAPSHOT).getAll(),
      tx.objectStore(LOG).getAll(),
    ]);
    await tx.done;
    const entries = flatten(runs);
    const snapMeta = asSnapshotMeta(snapRecord);
    const snapshot = snapMeta ? { meta: snapMeta.meta, data: joinChunks(chunks, snapMeta.size) } : null;
    const hardState = asHardState(hardRecord);
    const snapshotPosition = snapMeta ? { index: snapMeta.meta.index, term: snapMeta.meta.term } : null;
    const lastEntry = entries[entries.length - 1];
    this.position = {
      snapshot: snapshotPosition,
      last: lastEntry ? { index: lastEntry.index, term: lastEntry.term } : (snapshotPosition ?? { index: 0, term: 0 }),
      hardStateTerm: hardState.term,
    };
    this.termFloor = Math.max(this.termFloor, hardState.term);
    return { hardState, snapshot, entries };
  }

  async persist(batch: PersistBatch): Promise<void> {
    this.assertOpen('persist');
    checkBatchShape(batch);
    // Packing copies each command's bytes into the run's one buffer (a view into a larger frame
    // stores only its own bytes).
    const entries = batch.entries;
    const snapshotChunks = batch.snapshot ? splitIntoChunks(batch.snapshot.data, this.snapshotChunkBytes) : [];
    // Scope always includes entries+meta even when a batch touches only one of them: transactions
    // with overlapping scopes commit in creation order, so a later hardState (say commit = 7) can
    // never become durable before the earlier batch that appended entry 7.
    const scope = batch.snapshot ? [LOG, META, SNAPSHOT] : [LOG, META];
    const tx: WriteTx = this.db.transaction(scope as (typeof LOG | typeof META | typeof SNAPSHOT)[], 'readwrite', { durability: this.durability });
    const requests: Promise<unknown>[] = [];
    // A batch that only sets the hard state leaves the log where it is: batches after it may still
    // be checked against the known position while it is in flight.
    const logWrite = batch.entries.length > 0 || batch.snapshot !== undefined || batch.truncateFrom !== undefined || batch.compactTo !== undefined;
    const cached = this.logWrites === 0 && batch.snapshot === undefined && batch.truncateFrom === undefined ? this.position : null;
    // The highest term ever queued counts at once: if its batch fails the check is only stricter.
    const known = cached ? { ...cached, hardStateTerm: Math.max(cached.hardStateTerm, this.termFloor) } : null;
    if (batch.hardState) this.termFloor = Math.max(this.termFloor, batch.hardState.term);
    if (logWrite) {
      this.logWrites++;
      this.position = null;
    }
    let position: StoredPosition | null = null;
    try {
      try {
        // Check the batch against where the log stands, as known or as read inside this same
        // transaction, so the check and the write are one atomic step.
        position = known ? { ...known, entryTermAtSnapshot: undefined, entryTermBeforeTruncate: undefined } : await readPosition(tx, batch);
        const plan = planBatch(position, batch);
        await queueWrites(tx, batch, plan, entries, snapshotChunks, requests);
      } catch (error) {
        // A refused batch or a synchronous throw while queueing (e.g. DataCloneError on a put) must
        // abort: requests already queued would otherwise auto-commit half a batch.
        for (const request of requests) request.catch(() => undefined);
        tx.done.catch(() => undefined);
        try {
          tx.abort();
        } catch {
          // Already finished or aborted: a failed request aborts its transaction by itself.
        }
        throw error;
      }
      // Per-request rejections surface once, through tx.done.
      for (const request of requests) request.catch(() => undefined);
      await tx.done;
      const appendsOnly = batch.snapshot === undefined && batch.truncateFrom === undefined;
      if (logWrite && appendsOnly && position && this.logWrites === 1) this.position = advancePosition(position, batch);
      else if (!logWrite && !this.position && position && this.logWrites === 0) this.position = advancePosition(position, batch);
    } finally {
      if (logWrite) this.logWrites--;
    }
  }

  async termAt(index: number): Promise<number | undefined> {
    this.assertOpen('termAt');
    if (!isIndex(index)) return undefined;
    // Index 0 is the empty log's sentinel position: prevLogIndex 0 has term 0 (Raft Fig. 2).
    if (index === 0) return 0;
    const tx = this.db.transaction([LOG, META], 'readonly');
    const [entry, snapRecord] = await Promise.all([
      entryAt(tx.objectStore(LOG), index),
      tx.objectStore(META).get(SNAPSHOT_META_KEY),
    ]);
    await tx.done;
    if (entry) return entry.term;
    const snapMeta = asSnapshotMeta(snapRecord);
    if (snapMeta && snapMeta.meta.index === index) return snapMeta.meta.term;
    return undefined;
  }

  /** Stored entries with from <= index <= to, in index order (missing ones are simply absent). */
  async entries(from: number, to: number): Promise<LogEntry[]> {
    this.assertOpen('entries');
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return [];
    const tx = this.db.transaction([LOG], 'readonly');
    const entries = await entriesBetween(tx.objectStore(LOG), from, to);
    await tx.done;
    return entries;
  }

  async last(): Promise<{ index: number; term: number }> {
    this.assertOpen('last');
    return this.logEnd((log) => lastEntry(log));
  }

  async hardState(): Promise<HardState> {
    this.assertOpen('hardState');
    return asHardState(await this.db.get(META, HARD_STATE_KEY));
  }

  async snapshot(): Promise<Snapshot | null> {
    this.assertOpen('snapshot');
    const tx = this.db.transaction([META, SNAPSHOT], 'readonly');
    const [snapRecord, chunks] = await Promise.all([
      tx.objectStore(META).get(SNAPSHOT_META_KEY),
      tx.objectStore(SNAPSHOT).getAll(),
    ]);
    await tx.done;
    const snapMeta = asSnapshotMeta(snapRecord);
    return snapMeta ? { meta: snapMeta.meta, data: joinChunks(chunks, snapMeta.size) } : null;
  }

  /** The peer id this database was last handed to (null: never set). */
  async identity(): Promise<string | null> {
    this.assertOpen('identity');
    const record = await this.db.get(META, IDENTITY_KEY);
    return record && record.kind === 'identity' ? record.peerId : null;
  }

  /**
   * Where the log ends once entries of a term later than `term` are left out (the snapshot, or 0/0,
   * when nothing of `term` or lower is stored past it): the position handOver(..., term) leaves.
   */
  async lastWithinTerm(term: number): Promise<{ index: number; term: number }> {
    this.assertOpen('lastWithinTerm');
    return this.logEnd(async (log) => (await lastWithinTerm(log, term)).last);
  }

  /** The position of the stored entry `pick` finds, else the snapshot's, else 0/0 (one read-only transaction). */
  private async logEnd(pick: (log: ReadLog) => Promise<LogEntry | undefined>): Promise<{ index: number; term: number }> {
    const tx = this.db.transaction([LOG, META], 'readonly');
    const [entry, snapRecord] = await Promise.all([pick(tx.objectStore(LOG)), tx.objectStore(META).get(SNAPSHOT_META_KEY)]);
    await tx.done;
    if (entry) return { index: entry.index, term: entry.term };
    const snapMeta = asSnapshotMeta(snapRecord);
    if (snapMeta) return { index: snapMeta.meta.index, term: snapMeta.meta.term };
    return { index: 0, term: 0 };
  }

  /**
   * Hands the database to `peerId`: the log, the commit index and (at least) the term stay; the
   * vote was the previous identity's and goes. One transaction, so a crash leaves either identity.
   * `maxCommit`: the previous identity's departure notice promised nothing past this index, so the
   * commit index is lowered to it (never below the snapshot). Its engine may have stored a commit
   * index past the notice after the page had sent it (the Worker outlives `pagehide` for a moment);
   * a successor may then have written other entries there, which this log must accept.
   * `maxTerm`: the notice's term. Entries of a later term are dropped (never the snapshot): the
   * Worker made or took them after its page sent the notice, so no other peer learned of them from
   * this one. A lone voter's Worker can even elect itself in the next term and store entries there
   * after the notice; its successor, judging by the notice, takes that same term and writes other
   * entries at the same indexes, and a log keeping both would match a leader's log at an entry
   * where the two differ (§5.3's Log Matching relies on one leader per term).
   */
  async handOver(peerId: string, minTerm = 0, maxCommit = Number.POSITIVE_INFINITY, maxTerm = Number.POSITIVE_INFINITY): Promise<void> {
    this.assertOpen('handOver');
    const tx: WriteTx = this.db.transaction([LOG, META] as (typeof LOG | typeof META | typeof SNAPSHOT)[], 'readwrite', { durability: this.durability });
    const store = tx.objectStore(META);
    const hard = asHardState(await store.get(HARD_STATE_KEY));
    const snapshotIndex = asSnapshotMeta(await store.get(SNAPSHOT_META_KEY))?.meta.index ?? 0;
    const requests: Promise<unknown>[] = [];
    let last = Number.POSITIVE_INFINITY;
    if (Number.isFinite(maxTerm)) {
      const { firstPast } = await lastWithinTerm(tx.objectStore(LOG), maxTerm);
      if (firstPast !== null) {
        await deleteFrom(tx.objectStore(LOG), Math.max(firstPast, snapshotIndex + 1), requests);
        last = Math.max(firstPast - 1, snapshotIndex);
      }
    }
    const commit = handedOverCommit(hard.commit, snapshotIndex, last, maxCommit);
    requests.push(store.put({ kind: 'hardState', hardState: { term: Math.max(hard.term, minTerm), vote: null, commit } }, HARD_STATE_KEY));
    requests.push(store.put({ kind: 'identity', peerId }, IDENTITY_KEY));
    await Promise.all([...requests, tx.done]);
    this.position = null;
  }

  /** Idempotent. Transactions already started still complete (IndexedDB closes after them). */
  async close(): Promise<void> {
    if (this.closedReason !== null) return;
    this.closedReason = 'closed';
    this.db.close();
  }

  /** @internal Called from the open hooks: give the database up so the other party can proceed. */
  releaseForOtherConnection(reason: string): void {
    if (this.closedReason === null) this.closedReason = reason;
    this.db.close();
  }

  private assertOpen(operation: string): void {
    if (this.closedReason !== null) {
      throw new ClosedError(`IdbStorage(${this.dbName}).${operation}: storage is closed (${this.closedReason})`);
    }
  }
}

/** The log store of a read-only transaction over log and meta. */
type ReadLog = IDBPObjectStore<MeshraftIdbSchema, ('log' | 'meta')[], 'log', 'readonly'>;

type WriteTx = IDBPTransaction<MeshraftIdbSchema, ('log' | 'meta' | 'snapshot')[], 'readwrite'>;

/** The position after an appends-only batch (no snapshot, no truncation) was written. */
function advancePosition(
  position: Pick<StoredPosition, 'snapshot' | 'last' | 'hardStateTerm'>,
  batch: PersistBatch,
): Pick<StoredPosition, 'snapshot' | 'last' | 'hardStateTerm'> {
  const lastEntry = batch.entries[batch.entries.length - 1];
  return {
    snapshot: position.snapshot,
    last: lastEntry ? { index: lastEntry.index, term: lastEntry.term } : position.last,
    hardStateTerm: Math.max(position.hardStateTerm, batch.hardState?.term ?? 0),
  };
}

/** The stored bounds planBatch checks the batch against (all reads issued at once). */
async function readPosition(tx: WriteTx, batch: PersistBatch): Promise<StoredPosition> {
  const log = tx.objectStore(LOG);
  const meta = tx.objectStore(META);
  const termOf = async (index: number | undefined) => (index !== undefined && index >= 1 ? (await entryAt(log, index))?.term : undefined);
  const [snapRecord, hardRecord, lastStored, entryTermAtSnapshot, entryTermBeforeTruncate] = await Promise.all([
    meta.get(SNAPSHOT_META_KEY),
    meta.get(HARD_STATE_KEY),
    lastEntry(log),
    termOf(batch.snapshot?.meta.index),
    termOf(batch.truncateFrom === undefined ? undefined : batch.truncateFrom - 1),
  ]);
  const snapMeta = asSnapshotMeta(snapRecord)?.meta;
  const snapshot = snapMeta ? { index: snapMeta.index, term: snapMeta.term } : null;
  const last = lastStored ? { index: lastStored.index, term: lastStored.term } : (snapshot ?? { index: 0, term: 0 });
  return { snapshot, last, hardStateTerm: asHardState(hardRecord).term, entryTermAtSnapshot, entryTermBeforeTruncate };
}

/**
 * Queues the batch's writes in the contract's order: snapshot, truncateFrom, entries, hardState,
 * compactTo. An appends-only batch queues without awaiting anything; a cut through a run (snapshot,
 * truncation, compaction) first reads that run, inside the same transaction, so it sees the
 * batch's own earlier writes.
 */
async function queueWrites(
  tx: WriteTx,
  batch: PersistBatch,
  plan: BatchPlan,
  entries: LogEntry[],
  snapshotChunks: Uint8Array[],
  requests: Promise<unknown>[],
): Promise<void> {
  const log = tx.objectStore(LOG);
  const metaStore = tx.objectStore(META);
  if (batch.snapshot) {
    const snapStore = tx.objectStore(SNAPSHOT);
    const record: StoredSnapshotMeta = {
      kind: 'snapshot',
      meta: cloneSnapshotMeta(batch.snapshot.meta),
      size: batch.snapshot.data.byteLength,
      chunkCount: snapshotChunks.length,
    };
    requests.push(snapStore.clear());
    snapshotChunks.forEach((chunk, i) => requests.push(snapStore.put(chunk, i)));
    requests.push(metaStore.put(record, SNAPSHOT_META_KEY));
    // Raft §7: entries after the snapshot survive only if the log agrees with it at its index.
    if (plan.keepTailAfterSnapshot) await deleteThrough(log, batch.snapshot.meta.index, requests);
    else requests.push(log.clear());
  }
  if (batch.truncateFrom !== undefined) {
    // §5.3: a conflicting entry and everything after it is deleted.
    await deleteFrom(log, batch.truncateFrom, requests);
  }
  if (entries.length > 0) requests.push(appendRun(log, entries));
  if (batch.hardState) {
    const record: MetaRecord = { kind: 'hardState', hardState: { ...batch.hardState } };
    requests.push(metaStore.put(record, HARD_STATE_KEY));
  }
  if (batch.compactTo !== undefined) await deleteThrough(log, batch.compactTo, requests);
}


function isIndex(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

function cloneSnapshotMeta(meta: SnapshotMeta): SnapshotMeta {
  return {
    index: meta.index,
    term: meta.term,
    membership: { voters: [...meta.membership.voters], learners: [...meta.membership.learners] },
  };
}

function asHardState(record: MetaRecord | undefined): HardState {
  return record?.kind === 'hardState' ? record.hardState : { ...EMPTY_HARD_STATE };
}

function asSnapshotMeta(record: MetaRecord | undefined): StoredSnapshotMeta | null {
  return record?.kind === 'snapshot' ? record : null;
}
