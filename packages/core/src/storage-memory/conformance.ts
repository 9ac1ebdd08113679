// The Storage conformance suite: behaviour every Storage implementation must share (MemoryStorage here,
// IdbStorage in @meshraft/idb, run inside Chromium). Plain assertions only, no test framework.
//
// Contract for `makeStorage`: each case gets its own factory over a fresh, empty backing store, and
// every call of that factory opens the SAME backing store (that is how "reload after close" is tested).
import type { Storage } from '../storage';
import type { LogEntry, Snapshot } from '../types';
import { check, checkEqual, checkRejects } from './conformance-assert';
import { runRandomHistory } from './conformance-random';

export interface StorageConformanceCase {
  name: string;
  run(makeStorage: () => Promise<Storage>): Promise<void>;
}

// ---------- entry builders ----------

const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
const command = (index: number, term: number, withClient = true): LogEntry =>
  withClient
    ? { kind: 'command', index, term, data: new Uint8Array([index & 0xff, term & 0xff, 7]), client: { clientId: 'client-a', seq: index } }
    : { kind: 'command', index, term, data: new Uint8Array([index & 0xff]) };
const config = (index: number, term: number): LogEntry => ({ kind: 'config', index, term, membership: { voters: ['a', 'b', 'c'], learners: ['d'] } });

/** Entries from..to (inclusive), cycling through every kind, all in `term`. */
function run(from: number, to: number, term: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push(i % 3 === 0 ? config(i, term) : i % 3 === 1 ? command(i, term, i % 2 === 1) : noop(i, term));
  return out;
}

function snapshotAt(index: number, term: number): Snapshot {
  return { meta: { index, term, membership: { voters: ['a', 'b'], learners: [] } }, data: new Uint8Array([1, 2, 3, index & 0xff]) };
}

/** Opens a fresh store and writes entries 1..last of term 1: how most cases start. */
async function storageWithLog(makeStorage: () => Promise<Storage>, last: number): Promise<Storage> {
  const storage = await makeStorage();
  await storage.persist({ entries: run(1, last, 1) });
  return storage;
}

async function checkTerms(storage: Storage, expected: Record<number, number | undefined>, what: string): Promise<void> {
  for (const [index, term] of Object.entries(expected)) checkEqual(await storage.termAt(Number(index)), term, `${what}: termAt(${index})`);
}

// ---------- the cases ----------

const RANDOM_HISTORY_SEEDS = [1, 2, 3, 4, 5, 6];
const RANDOM_HISTORY_BATCHES = 200;

export function storageConformanceCases(): StorageConformanceCase[] {
  return [
    {
      name: 'an empty store loads term 0, no vote, no snapshot, no entries',
      async run(makeStorage) {
        const s = await makeStorage();
        checkEqual(await s.load(), { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }, 'load');
        checkEqual(await s.last(), { index: 0, term: 0 }, 'last');
        checkEqual(await s.hardState(), { term: 0, vote: null, commit: 0 }, 'hardState');
        checkEqual(await s.snapshot(), null, 'snapshot');
        checkEqual(await s.entries(1, 10), [], 'entries(1, 10)');
        await checkTerms(s, { 0: 0, 1: undefined }, 'empty');
        await s.close();
      },
    },
    {
      name: 'appended entries read back by range, term and last, across batches',
      async run(makeStorage) {
        const s = await makeStorage();
        const all = run(1, 9, 1).concat(run(10, 12, 2));
        await s.persist({ entries: all.slice(0, 4) });
        await s.persist({ entries: all.slice(4, 9) });
        await s.persist({ entries: all.slice(9) });
        checkEqual(await s.entries(1, 12), all, 'entries(1, 12)');
        checkEqual(await s.entries(3, 5), all.slice(2, 5), 'entries(3, 5)');
        checkEqual(await s.entries(7, 7), [all[6]], 'entries(7, 7) is inclusive');
        checkEqual(await s.entries(0, 100), all, 'a range wider than the log is clipped to it');
        checkEqual(await s.entries(5, 4), [], 'an empty range');
        checkEqual(await s.entries(13, 20), [], 'a range past the end');
        checkEqual(await s.last(), { index: 12, term: 2 }, 'last');
        await checkTerms(s, { 0: 0, 1: 1, 9: 1, 10: 2, 12: 2, 13: undefined }, 'after appends');
        checkEqual((await s.load()).entries, all, 'load().entries');
        await s.close();
      },
    },
    {
      name: 'truncate then append replaces the conflicting suffix (§5.3)',
      async run(makeStorage) {
        const s = await storageWithLog(makeStorage, 6);
        const replacement = [noop(4, 2), command(5, 2)];
        await s.persist({ truncateFrom: 4, entries: replacement });
        checkEqual(await s.entries(1, 10), run(1, 3, 1).concat(replacement), 'entries after truncate+append');
        checkEqual(await s.last(), { index: 5, term: 2 }, 'last');
        await checkTerms(s, { 3: 1, 4: 2, 5: 2, 6: undefined }, 'after truncate');
        await s.persist({ truncateFrom: 2, entries: [] });
        checkEqual(await s.last(), { index: 1, term: 1 }, 'truncate alone');
        await s.persist({ truncateFrom: 1, entries: [] });
        checkEqual(await s.last(), { index: 0, term: 0 }, 'truncating everything');
        await s.persist({ truncateFrom: 50, entries: [noop(1, 3)] });
        checkEqual(await s.entries(1, 5), [noop(1, 3)], 'truncateFrom past the end removes nothing');
        await s.close();
      },
    },
    {
      name: 'hard state round-trips; the latest write wins',
      async run(makeStorage) {
        const s = await makeStorage();
        await s.persist({ entries: [], hardState: { term: 1, vote: 'peer-a', commit: 0 } });
        checkEqual(await s.hardState(), { term: 1, vote: 'peer-a', commit: 0 }, 'first hardState');
        await s.persist({ entries: run(1, 2, 2), hardState: { term: 2, vote: null, commit: 2 } });
        checkEqual(await s.hardState(), { term: 2, vote: null, commit: 2 }, 'second hardState');
        await s.persist({ entries: [] });
        checkEqual((await s.load()).hardState, { term: 2, vote: null, commit: 2 }, 'a batch without hardState keeps it');
        await s.close();
      },
    },
    {
      name: 'a snapshot agreeing with the log drops the covered entries and keeps the rest (§7)',
      async run(makeStorage) {
        const s = await storageWithLog(makeStorage, 10);
        const snap = snapshotAt(6, 1);
        await s.persist({ snapshot: snap, entries: [] });
        checkEqual(await s.snapshot(), snap, 'snapshot()');
        checkEqual(await s.entries(1, 10), run(7, 10, 1), 'entries after install');
        checkEqual(await s.last(), { index: 10, term: 1 }, 'last');
        await checkTerms(s, { 5: undefined, 6: 1, 7: 1, 10: 1 }, 'after install');
        checkEqual(await s.load(), { hardState: { term: 0, vote: null, commit: 0 }, snapshot: snap, entries: run(7, 10, 1) }, 'load');
        await s.close();
      },
    },
    {
      name: 'a snapshot conflicting with or beyond the log replaces the whole log (§7)',
      async run(makeStorage) {
        const s = await storageWithLog(makeStorage, 5);
        await s.persist({ snapshot: snapshotAt(4, 2), entries: [] });
        checkEqual(await s.entries(1, 10), [], 'conflicting snapshot discards every entry');
        checkEqual(await s.last(), { index: 4, term: 2 }, 'last is the snapshot point');
        await s.persist({ snapshot: snapshotAt(20, 3), entries: [] });
        checkEqual(await s.last(), { index: 20, term: 3 }, 'snapshot beyond the log');
        await s.persist({ entries: [noop(21, 3)] });
        checkEqual(await s.entries(1, 30), [noop(21, 3)], 'appending after the snapshot');
        await checkRejects(s.persist({ snapshot: snapshotAt(10, 3), entries: [] }), 'installing an older snapshot');
        await s.close();
      },
    },
    {
      name: 'one batch applies snapshot -> truncateFrom -> entries -> hardState -> compactTo in order',
      async run(makeStorage) {
        const s = await storageWithLog(makeStorage, 8);
        const snap = snapshotAt(5, 1);
        await s.persist({
          snapshot: snap,
          truncateFrom: 7,
          entries: [noop(7, 2), command(8, 2), command(9, 2)],
          hardState: { term: 2, vote: 'b', commit: 6 },
          compactTo: 5,
        });
        checkEqual(
          await s.load(),
          { hardState: { term: 2, vote: 'b', commit: 6 }, snapshot: snap, entries: [...run(6, 6, 1), noop(7, 2), command(8, 2), command(9, 2)] },
          'load after the combined batch',
        );
        await checkTerms(s, { 5: 1, 6: 1, 7: 2, 9: 2 }, 'after the combined batch');
        await s.close();
      },
    },
    {
      name: 'compactTo accepts indices covered by the snapshot and refuses others',
      async run(makeStorage) {
        const s = await storageWithLog(makeStorage, 10);
        await checkRejects(s.persist({ entries: [], compactTo: 3 }), 'compactTo without a snapshot');
        await s.persist({ snapshot: snapshotAt(4, 1), entries: [] });
        await s.persist({ entries: [], compactTo: 4 });
        checkEqual(await s.entries(1, 10), run(5, 10, 1), 'entries after compactTo');
        checkEqual(await s.termAt(4), 1, 'the snapshot boundary survives compaction');
        await checkRejects(s.persist({ entries: [], compactTo: 6 }), 'compactTo past the snapshot');
        checkEqual(await s.entries(1, 10), run(5, 10, 1), 'a refused compactTo drops nothing');
        await s.close();
      },
    },
    {
      name: 'termAt answers at the snapshot boundary, also after a reload',
      async run(makeStorage) {
        const s = await makeStorage();
        await s.persist({ snapshot: snapshotAt(7, 3), entries: [noop(8, 4)] });
        await checkTerms(s, { 0: 0, 6: undefined, 7: 3, 8: 4, 9: undefined }, 'before reload');
        await s.close();
        const again = await makeStorage();
        await checkTerms(again, { 6: undefined, 7: 3, 8: 4 }, 'after reload');
        checkEqual(await again.last(), { index: 8, term: 4 }, 'last after reload');
        await again.close();
      },
    },
    {
      name: 'reopening after close sees everything persisted',
      async run(makeStorage) {
        const s = await makeStorage();
        const snap = snapshotAt(3, 1);
        await s.persist({ entries: run(1, 6, 1), hardState: { term: 1, vote: 'a', commit: 2 } });
        await s.persist({ snapshot: snap, entries: run(7, 8, 1), hardState: { term: 1, vote: 'a', commit: 5 } });
        const before = await s.load();
        await s.close();
        await checkRejects(s.last(), 'using a closed storage');
        const again = await makeStorage();
        checkEqual(await again.load(), before, 'load after reopen');
        checkEqual(before, { hardState: { term: 1, vote: 'a', commit: 5 }, snapshot: snap, entries: run(4, 8, 1) }, 'persisted contents');
        await again.persist({ entries: [noop(9, 2)] });
        checkEqual(await again.last(), { index: 9, term: 2 }, 'writable after reopen');
        await again.close();
      },
    },
    {
      name: 'a large batch of 10k entries is stored and read back',
      async run(makeStorage) {
        const s = await makeStorage();
        const big = run(1, 10_000, 5);
        await s.persist({ entries: big, hardState: { term: 5, vote: null, commit: 10_000 } });
        checkEqual(await s.last(), { index: 10_000, term: 5 }, 'last');
        checkEqual(await s.entries(5_000, 5_009), big.slice(4_999, 5_009), 'a slice in the middle');
        await s.close();
        const again = await makeStorage();
        const loaded = await again.load();
        check(loaded.entries.length === 10_000, `reload holds ${loaded.entries.length} entries, expected 10000`);
        checkEqual(loaded.entries[9_999], big[9_999], 'last entry after reload');
        await again.close();
      },
    },
    {
      name: 'an invalid batch is refused as a whole and changes nothing',
      async run(makeStorage) {
        const s = await makeStorage();
        await s.persist({ entries: run(1, 3, 1), hardState: { term: 1, vote: null, commit: 1 } });
        const before = await s.load();
        const bad = [
          { entries: [noop(5, 1)], hardState: { term: 9, vote: 'x', commit: 3 } }, // gap after 3
          { entries: [noop(4, 1), noop(6, 1)] }, // gap inside the batch
          { entries: [noop(3, 1)] }, // overlaps without truncateFrom
          { snapshot: snapshotAt(2, 1), truncateFrom: 2, entries: [noop(2, 1)] }, // truncating into the snapshot
        ];
        for (const [i, batch] of bad.entries()) {
          await checkRejects(s.persist(batch), `invalid batch #${i}`);
          checkEqual(await s.load(), before, `state after invalid batch #${i}`);
        }
        await s.close();
      },
    },
    {
      name: 'stored values are isolated from the objects passed in and handed out',
      async run(makeStorage) {
        const s = await makeStorage();
        const entries = run(1, 3, 1);
        const hardState = { term: 1, vote: 'a', commit: 1 };
        await s.persist({ entries, hardState });
        (entries[0] as { term: number }).term = 99;
        hardState.commit = 42;
        const out = await s.entries(1, 1);
        const data = (out[0] as Extract<LogEntry, { kind: 'command' }>).data;
        data[0] = 200;
        checkEqual(await s.entries(1, 3), run(1, 3, 1), 'entries unaffected by caller mutations');
        checkEqual(await s.hardState(), { term: 1, vote: 'a', commit: 1 }, 'hardState unaffected');
        await s.close();
      },
    },
    // Random histories (conformance-random.ts): one fresh store per seed.
    ...RANDOM_HISTORY_SEEDS.map(
      (seed): StorageConformanceCase => ({
        name: `random history ${seed}: ${RANDOM_HISTORY_BATCHES} batches, several in flight, reopened between, read back as the contract says`,
        run: (makeStorage) => runRandomHistory(makeStorage, seed, RANDOM_HISTORY_BATCHES),
      }),
    ),
  ];
}
