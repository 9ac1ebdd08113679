// IdbStorage-specific checks that the shared storage conformance suite cannot express:
// reopening a database, snapshot chunking, atomicity of a failed batch, ordering of overlapping
// transactions, byte ownership, one database per peer id, opening only an existing database, and
// running inside a Web Worker.
// Run in Chromium by e2e/idb-conformance.spec.ts through the idb-conformance page.
import { openDB } from 'idb';
import type { LogEntry, PersistBatch, Snapshot } from '@meshraft/core';
import { deleteIdbStorage, openExistingIdbStorage, openIdbStorage, type IdbStorage, type StorageDurability } from '@meshraft/idb';
import { assert, assertEqual, assertRejects } from './support/assert';

export interface IdbCaseContext {
  /** A database name no other case uses; deleted after the case. */
  dbName: string;
  /** Opens IdbStorage on `dbName` (again, for reopen checks); closed after the case. */
  open(options?: { snapshotChunkBytes?: number }): Promise<IdbStorage>;
}

export interface IdbCase {
  name: string;
  run(ctx: IdbCaseContext): Promise<void>;
}

export function commandEntries(from: number, to: number, term: number): LogEntry[] {
  const entries: LogEntry[] = [];
  for (let index = from; index <= to; index++) {
    entries.push({ kind: 'command', index, term, data: new Uint8Array([index & 255, term & 255, 7]) });
  }
  return entries;
}

export function sampleSnapshot(index: number, term: number, size: number): Snapshot {
  return {
    meta: { index, term, membership: { voters: ['a', 'b', 'c'], learners: ['d'] } },
    data: new Uint8Array(size).map((_, i) => (i * 31 + index) & 255),
  };
}

/** Reads raw records (bypassing IdbStorage) to check how things are laid out on disk. */
async function rawRead<T>(dbName: string, read: (db: Awaited<ReturnType<typeof openDB>>) => Promise<T>): Promise<T> {
  const db = await openDB(dbName);
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

export const idbCases: IdbCase[] = [
  {
    name: 'idb: a reopened database loads everything persisted before close',
    async run({ open }) {
      const first = await open();
      const snapshot = sampleSnapshot(10, 2, 300);
      await first.persist({ snapshot, entries: [] });
      await first.persist({ entries: commandEntries(11, 40, 3), hardState: { term: 3, vote: 'b', commit: 35 } });
      await first.persist({ truncateFrom: 38, entries: commandEntries(38, 39, 4), hardState: { term: 4, vote: null, commit: 36 } });
      await first.close();

      const second = await open();
      const state = await second.load();
      assertEqual(state.hardState, { term: 4, vote: null, commit: 36 }, 'hard state after reopen');
      assertEqual(state.snapshot, snapshot, 'snapshot after reopen');
      assertEqual(state.entries, [...commandEntries(11, 37, 3), ...commandEntries(38, 39, 4)], 'entries after reopen');
      assertEqual(await second.last(), { index: 39, term: 4 }, 'last after reopen');
    },
  },
  {
    name: 'idb: a large snapshot is stored in chunks and a smaller one replaces all of them',
    async run({ open, dbName }) {
      const storage = await open({ snapshotChunkBytes: 1000 });
      const big = sampleSnapshot(50, 5, 10_001);
      await storage.persist({ snapshot: big, entries: [] });
      assertEqual(await rawRead(dbName, (db) => db.count('snapshot')), 11, 'chunks for 10,001 bytes at 1000 per chunk');
      assertEqual(await storage.snapshot(), big, 'chunked snapshot round-trips');

      const small = sampleSnapshot(60, 6, 10);
      await storage.persist({ snapshot: small, entries: [] });
      assertEqual(await rawRead(dbName, (db) => db.count('snapshot')), 1, 'old chunks are gone');
      assertEqual((await storage.load()).snapshot, small, 'replacement snapshot loads');
    },
  },
  {
    name: 'idb: a batch that fails mid-way leaves nothing of itself behind',
    async run({ open }) {
      const storage = await open();
      await storage.persist({ entries: commandEntries(1, 5, 1), hardState: { term: 1, vote: 'a', commit: 2 } });
      // A function cannot be structured-cloned: the entries' put throws after the truncation's
      // writes were queued (the entries are well-formed, so the batch passes every check before that).
      const poisoned = commandEntries(4, 7, 2).map((entry, i) =>
        i === 2 ? ({ kind: 'noop', index: entry.index, term: entry.term, extra: () => 0 } as unknown as LogEntry) : entry);
      const batch: PersistBatch = { truncateFrom: 4, entries: poisoned, hardState: { term: 2, vote: null, commit: 3 } };
      await assertRejects(() => storage.persist(batch), 'DataCloneError', 'uncloneable entry');
      const state = await storage.load();
      assertEqual(state.entries, commandEntries(1, 5, 1), 'entries untouched by the failed batch');
      assertEqual(state.hardState, { term: 1, vote: 'a', commit: 2 }, 'hard state untouched by the failed batch');
    },
  },
  {
    name: 'idb: batches issued without awaiting are applied in issue order',
    async run({ open }) {
      const storage = await open();
      const pending: Promise<void>[] = [];
      for (let i = 1; i <= 40; i++) {
        // Entry-only and hardState-only batches alternate: they must still commit in issue order.
        pending.push(storage.persist({ entries: commandEntries(i, i, 1) }));
        pending.push(storage.persist({ entries: [], hardState: { term: 1, vote: null, commit: i } }));
      }
      pending.push(storage.persist({ truncateFrom: 30, entries: commandEntries(30, 31, 2) }));
      await Promise.all(pending);
      const state = await storage.load();
      assertEqual(state.entries, [...commandEntries(1, 29, 1), ...commandEntries(30, 31, 2)], 'entries in issue order');
      assertEqual(state.hardState.commit, 40, 'last hard state wins');
    },
  },
  {
    name: 'idb: command bytes that are a view into a larger buffer store only their own bytes',
    async run({ open, dbName }) {
      const storage = await open();
      const frame = new Uint8Array(64 * 1024).fill(9);
      const entry: LogEntry = { kind: 'command', index: 1, term: 1, data: frame.subarray(100, 105) };
      await storage.persist({ entries: [entry] });
      const raw = await rawRead(dbName, (db) => db.get('log', 1)) as { bytes: Uint8Array };
      assertEqual(raw.bytes.buffer.byteLength, 5, 'stored buffer size');
      assertEqual((await storage.entries(1, 1))[0], { ...entry, data: new Uint8Array(5).fill(9) }, 'entry reads back');
      assertEqual(frame.byteLength, 64 * 1024, 'caller buffer untouched');
    },
  },
  {
    name: 'idb: a batch is one record; truncation and compaction cut through a record and keep the rest',
    async run({ open, dbName }) {
      const storage = await open();
      await storage.persist({ entries: commandEntries(1, 10, 1), hardState: { term: 1, vote: null, commit: 0 } });
      await storage.persist({ entries: commandEntries(11, 20, 1) });
      assertEqual(await rawRead(dbName, (db) => db.getAllKeys('log')), [1, 11], 'one record per batch, keyed by its first index');
      await storage.persist({ truncateFrom: 15, entries: commandEntries(15, 16, 2) });
      assertEqual(await rawRead(dbName, (db) => db.getAllKeys('log')), [1, 11, 15], 'the cut record keeps 11..14');
      assertEqual(await storage.termAt(14), 1, 'term before the cut');
      assertEqual(await storage.termAt(15), 2, 'term after the cut');
      assertEqual(await storage.last(), { index: 16, term: 2 }, 'last after truncation');
      await storage.persist({ snapshot: sampleSnapshot(12, 1, 10), entries: [] });
      await storage.persist({ entries: commandEntries(17, 18, 2), compactTo: 12 });
      assertEqual(await rawRead(dbName, (db) => db.getAllKeys('log')), [13, 15, 17], 'compaction rewrote the record it cut through');
      assertEqual(await storage.entries(12, 17), [...commandEntries(13, 14, 1), ...commandEntries(15, 17, 2)], 'entries across records');
      const reopened = await open();
      assertEqual((await reopened.load()).entries, [...commandEntries(13, 14, 1), ...commandEntries(15, 18, 2)], 'load flattens the records');
      await assertRejects(() => reopened.persist({ entries: commandEntries(20, 20, 2) }), 'InvalidBatchError', 'a gap after load is still refused');
    },
  },
  {
    name: 'idb: a version 1 database (one record per entry) is upgraded with its log intact',
    async run({ open, dbName }) {
      // Build the version 1 layout by hand: stores entries/meta/snapshot, one entry per record.
      const v1 = await openDB(dbName, 1, {
        upgrade(db) {
          db.createObjectStore('entries');
          db.createObjectStore('meta');
          db.createObjectStore('snapshot');
        },
      });
      for (const entry of commandEntries(1, 2500, 3)) await v1.put('entries', entry, entry.index);
      await v1.put('meta', { kind: 'hardState', hardState: { term: 3, vote: 'a', commit: 2400 } }, 'hardState');
      v1.close();
      const storage = await open();
      const state = await storage.load();
      assertEqual(state.entries.length, 2500, 'every entry survives the upgrade');
      assertEqual(state.entries[2499], commandEntries(2500, 2500, 3)[0], 'last entry intact');
      assertEqual(state.hardState, { term: 3, vote: 'a', commit: 2400 }, 'hard state intact');
      const stores = await rawRead(dbName, async (db) => [...db.objectStoreNames].sort());
      assertEqual(stores, ['log', 'meta', 'snapshot'], 'the version 1 store is gone');
      await storage.persist({ entries: commandEntries(2501, 2501, 3) });
      assertEqual(await storage.last(), { index: 2501, term: 3 }, 'appends continue after the upgrade');
    },
  },
  {
    name: 'idb: a closed storage rejects with ClosedError and close is idempotent',
    async run({ open }) {
      const storage = await open();
      await storage.close();
      await storage.close();
      await assertRejects(() => storage.load(), 'ClosedError', 'load after close');
      await assertRejects(() => storage.persist({ entries: [] }), 'ClosedError', 'persist after close');
    },
  },
  {
    name: 'idb: malformed batches are refused with InvalidBatchError (an InvalidInputError) and write nothing',
    async run({ open }) {
      const storage = await open();
      await storage.persist({ entries: commandEntries(1, 2, 1), hardState: { term: 1, vote: null, commit: 0 } });
      const gap = [...commandEntries(3, 3, 1), ...commandEntries(5, 5, 1)];
      await assertRejects(() => storage.persist({ entries: gap }), 'InvalidBatchError', 'non-contiguous entries');
      await assertRejects(() => storage.persist({ entries: [], truncateFrom: -1 }), 'InvalidBatchError', 'negative truncateFrom');
      await assertRejects(() => storage.persist({ entries: [], compactTo: 1.5 }), 'InvalidBatchError', 'fractional compactTo');
      // Checked against what is stored, inside the batch's own transaction:
      await assertRejects(() => storage.persist({ entries: commandEntries(4, 4, 1) }), 'InvalidBatchError', 'entries leaving a gap after the log');
      await assertRejects(() => storage.persist({ entries: commandEntries(3, 3, 0) }), 'InvalidBatchError', 'entry term below the last term');
      await assertRejects(() => storage.persist({ entries: [], compactTo: 1 }), 'InvalidBatchError', 'compactTo past the snapshot');
      await assertRejects(
        () => storage.persist({ truncateFrom: 2, entries: commandEntries(2, 2, 1), hardState: { term: 0, vote: null, commit: 0 } }),
        'InvalidBatchError', 'hard state term going down',
      );
      assertEqual((await storage.load()).entries, commandEntries(1, 2, 1), 'log unchanged');
    },
  },
  {
    name: 'idb: one database per peer id, removed by deleteIdbStorage',
    async run() {
      const suffix = Math.random().toString(36).slice(2, 8);
      const [a, b] = [`peerA${suffix}`, `peerB${suffix}`];
      try {
        const storeA = await openIdbStorage({ peerId: a });
        const storeB = await openIdbStorage({ peerId: b });
        assertEqual(storeA.dbName, `meshraft-${a}`, 'default database name');
        await storeA.persist({ entries: commandEntries(1, 3, 1), hardState: { term: 1, vote: a, commit: 0 } });
        assertEqual((await storeB.load()).entries, [], 'peer B sees nothing of peer A');
        await storeA.close();
        await storeB.close();
        const names = (await indexedDB.databases()).map((db) => db.name);
        assert(names.includes(`meshraft-${a}`) && names.includes(`meshraft-${b}`), `both databases exist: ${names.join(',')}`);
        await deleteIdbStorage(a);
        const reopened = await openIdbStorage({ peerId: a });
        assertEqual((await reopened.load()).entries, [], 'deleted database starts empty');
        await reopened.close();
      } finally {
        await deleteIdbStorage(a);
        await deleteIdbStorage(b);
      }
    },
  },
  {
    name: "idb: handOver drops entries of a term past maxTerm (cutting through a run, never the snapshot), lowers the commit index to maxCommit and the kept log, and keeps the term; lastWithinTerm tells where the log then ends",
    async run({ open }) {
      const first = await open();
      await first.persist({ snapshot: sampleSnapshot(10, 2, 64), entries: [] });
      // One run 11-16 of terms 3 and 4, then a run 17-18 of term 5.
      await first.persist({ entries: [...commandEntries(11, 13, 3), ...commandEntries(14, 16, 4)], hardState: { term: 4, vote: 'a', commit: 15 } });
      await first.persist({ entries: commandEntries(17, 18, 5), hardState: { term: 5, vote: 'a', commit: 18 } });
      assertEqual(await first.lastWithinTerm(5), { index: 18, term: 5 }, 'nothing past term 5');
      assertEqual(await first.lastWithinTerm(3), { index: 13, term: 3 }, 'term 3 ends at 13');
      assertEqual(await first.lastWithinTerm(2), { index: 10, term: 2 }, 'below the log: the snapshot');
      await first.handOver('b', 0, 16, 3);
      await first.close();
      const second = await open();
      const state = await second.load();
      assertEqual(state.entries, commandEntries(11, 13, 3), 'entries of terms 4 and 5 dropped');
      assertEqual(state.hardState, { term: 5, vote: null, commit: 13 }, 'term kept, vote dropped, commit at most the kept log');
      assertEqual(state.snapshot?.meta.index, 10, 'snapshot kept');
      assertEqual(await second.identity(), 'b', 'handed over');
      await second.persist({ entries: commandEntries(14, 14, 6) });
      assertEqual(await second.last(), { index: 14, term: 6 }, 'the log goes on from the kept entries');
      // Every entry of a later term, down to the snapshot: the log is the snapshot alone.
      await second.handOver('c', 0, Number.POSITIVE_INFINITY, 2);
      assertEqual((await second.load()).entries, [], 'only the snapshot is left');
      assertEqual(await second.last(), { index: 10, term: 2 }, 'the log ends at the snapshot');
    },
  },
  {
    name: 'idb: openExistingIdbStorage opens a database that exists and creates none that does not',
    async run() {
      const dbName = `meshraft-existing-${Math.random().toString(36).slice(2, 8)}`;
      const listed = async () => (await indexedDB.databases()).some((db) => db.name === dbName);
      try {
        assertEqual(await openExistingIdbStorage({ peerId: 'x', dbName }), null, 'no database: null');
        assert(!(await listed()), 'the refused open left no database behind');
        const created = await openIdbStorage({ peerId: 'x', dbName });
        await created.persist({ entries: commandEntries(1, 2, 1), hardState: { term: 1, vote: null, commit: 0 } });
        await created.close();
        const existing = await openExistingIdbStorage({ peerId: 'x', dbName });
        assert(existing !== null, 'an existing database opens');
        assertEqual((await existing.load()).entries, commandEntries(1, 2, 1), 'and reads what was stored');
        await existing.close();
        await deleteIdbStorage({ dbName });
        assertEqual(await openExistingIdbStorage({ peerId: 'x', dbName }), null, 'deleted: null again');
        assert(!(await listed()), 'still no database after the deletion');
      } finally {
        await deleteIdbStorage({ dbName });
      }
    },
  },
  {
    name: "idb: every write transaction carries the durability hint the storage was opened with ('relaxed' by default, 'strict' when asked); a bad hint is refused",
    async run() {
      // Watches the transactions the browser opens (IDBDatabase.transaction), and the durability
      // each one reports it was created with.
      const seen: { mode: IDBTransactionMode; durability: string }[] = [];
      const original = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
        const tx = original.apply(this, args);
        seen.push({ mode: tx.mode, durability: tx.durability });
        return tx;
      };
      const dbName = `meshraft-durability-${Math.random().toString(36).slice(2, 8)}`;
      const writes = async (durability?: StorageDurability) => {
        await deleteIdbStorage({ dbName });
        seen.length = 0;
        const storage = await openIdbStorage({ peerId: 'd', dbName, ...(durability ? { durability } : {}) });
        try {
          assertEqual(storage.durability, durability ?? 'relaxed', 'the storage names its hint');
          await storage.persist({ entries: commandEntries(1, 3, 1), hardState: { term: 1, vote: 'd', commit: 0 } });
          await storage.persist({ entries: [], hardState: { term: 1, vote: 'd', commit: 3 } });
          await storage.handOver('e');
          await storage.load();
        } finally {
          await storage.close();
        }
        return seen.filter((t) => t.mode === 'readwrite').map((t) => t.durability);
      };
      try {
        assertEqual(await writes(), ['relaxed', 'relaxed', 'relaxed'], 'default: relaxed');
        assertEqual(await writes('strict'), ['strict', 'strict', 'strict'], 'strict');
        await assertRejects(() => openIdbStorage({ peerId: 'd', dbName, durability: 'fsync' as StorageDurability }), 'InvalidInputError', 'an unknown hint');
      } finally {
        IDBDatabase.prototype.transaction = original;
        await deleteIdbStorage({ dbName });
      }
    },
  },
  {
    name: 'idb: works inside a module Web Worker',
    async run({ open, dbName }) {
      const worker = new Worker(new URL('./idb-worker.ts', import.meta.url), { type: 'module' });
      try {
        const reply = await new Promise<{ ok: boolean; last?: { index: number; term: number }; error?: string }>((resolve, reject) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
          worker.postMessage({ dbName });
        });
        assert(reply.ok, `worker failed: ${reply.error}`);
        assertEqual(reply.last, { index: 20, term: 3 }, 'last seen inside the worker');
      } finally {
        worker.terminate();
      }
      // The worker closed its connection: the window sees what it wrote.
      const state = await (await open()).load();
      assertEqual(state.entries, commandEntries(1, 20, 3), 'entries written by the worker');
      assertEqual(state.hardState, { term: 3, vote: 'w', commit: 20 }, 'hard state written by the worker');
    },
  },
];
