// Runs the shared storage conformance suite (@meshraft/core) and the IdbStorage-specific cases
// against IndexedDB in this page. Driven by e2e/idb-conformance.spec.ts through window functions.
import type { PersistBatch } from '@meshraft/core';
import { runRandomHistory, storageConformanceCases } from '@meshraft/core/testing';
import { deleteIdbStorage, openIdbStorage, type IdbStorage } from '@meshraft/idb';
import { commandEntries, idbCases, sampleSnapshot } from './idb-cases';
import { crashRun, type CrashRun } from './idb-crash-history';

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** The summary a spec compares before and after a page reload. */
export interface StoredSummary {
  hardState: unknown;
  last: { index: number; term: number };
  entryCount: number;
  snapshotIndex: number | null;
  snapshotBytes: number;
  firstCommandBytes: number[];
}

declare global {
  interface Window {
    listConformanceCases(): string[];
    runConformanceCase(name: string): Promise<CaseResult>;
    runConformance(): Promise<CaseResult[]>;
    /** Writes a known state into `dbName` and returns its summary (reload check, first half). */
    writeForReload(dbName: string): Promise<StoredSummary>;
    /** Reopens `dbName`, summarizes what loads, and deletes it (reload check, second half). */
    readAfterReload(dbName: string): Promise<StoredSummary>;
    /** Random histories of `batches` batches for seeds from..from+count-1, each on a fresh database: the first failure, or null. */
    runRandomHistories(from: number, count: number, batches: number): Promise<CaseResult | null>;
    /** Random histories written by a Worker killed mid-way (idb-crash-history.ts), seeds from..from+count-1. */
    runCrashHistories(from: number, count: number, batches: number): Promise<{ runs: CrashRun[]; failure: CaseResult | null }>;
  }
}

// Unique per page load, so database names never collide with a previous run's leftovers.
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let databaseCounter = 0;
const nextDbName = () => `conformance-${runId}-${++databaseCounter}`;

interface Resources {
  storages: IdbStorage[];
  dbNames: string[];
}

async function release(resources: Resources): Promise<void> {
  for (const storage of resources.storages) await storage.close();
  for (const dbName of resources.dbNames) await deleteIdbStorage({ dbName });
}

async function openTracked(resources: Resources, dbName: string, snapshotChunkBytes?: number): Promise<IdbStorage> {
  if (!resources.dbNames.includes(dbName)) resources.dbNames.push(dbName);
  const storage = await openIdbStorage({ peerId: 'conformance', dbName, snapshotChunkBytes });
  resources.storages.push(storage);
  return storage;
}

type Runner = (resources: Resources) => Promise<void>;

const runners = new Map<string, Runner>();
for (const testCase of storageConformanceCases()) {
  // The suite's contract: a fresh, empty store per case; every makeStorage() call of one case
  // reopens that same store (how "reload after close" is tested).
  runners.set(testCase.name, (resources) => {
    const dbName = nextDbName();
    return testCase.run(() => openTracked(resources, dbName));
  });
}
for (const testCase of idbCases) {
  runners.set(testCase.name, (resources) => {
    const dbName = nextDbName();
    return testCase.run({ dbName, open: (options) => openTracked(resources, dbName, options?.snapshotChunkBytes) });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`;
  return String(error);
}

window.listConformanceCases = () => [...runners.keys()];

window.runConformanceCase = async (name) => {
  const runner = runners.get(name);
  if (!runner) return { name, ok: false, error: `no such case: ${name}` };
  const resources: Resources = { storages: [], dbNames: [] };
  let result: CaseResult;
  try {
    await runner(resources);
    result = { name, ok: true };
  } catch (error) {
    result = { name, ok: false, error: describe(error) };
  }
  try {
    await release(resources);
  } catch (error) {
    // A case that passed but cannot be cleaned up still broke the storage contract (close/delete).
    if (result.ok) result = { name, ok: false, error: `cleanup failed: ${describe(error)}` };
  }
  return result;
};

window.runConformance = async () => {
  const results: CaseResult[] = [];
  for (const name of runners.keys()) results.push(await window.runConformanceCase(name));
  return results;
};

async function summarize(storage: IdbStorage): Promise<StoredSummary> {
  const state = await storage.load();
  const first = state.entries[0];
  return {
    hardState: state.hardState,
    last: await storage.last(),
    entryCount: state.entries.length,
    snapshotIndex: state.snapshot?.meta.index ?? null,
    snapshotBytes: state.snapshot?.data.byteLength ?? 0,
    firstCommandBytes: first?.kind === 'command' ? Array.from(first.data) : [],
  };
}

window.writeForReload = async (dbName) => {
  const storage = await openIdbStorage({ peerId: 'reload', dbName, snapshotChunkBytes: 4096 });
  const batches: PersistBatch[] = [
    { snapshot: sampleSnapshot(100, 4, 20_000), entries: [] },
    { entries: commandEntries(101, 600, 5), hardState: { term: 5, vote: 'reload', commit: 550 } },
    // A later snapshot that agrees with the log at 150 keeps the entries after it (Raft §7).
    { snapshot: sampleSnapshot(150, 5, 20_000), entries: [], compactTo: 150 },
  ];
  for (const batch of batches) await storage.persist(batch);
  const summary = await summarize(storage);
  // No close(): the reload itself must be enough (the page goes away with the connection open).
  return summary;
};

window.readAfterReload = async (dbName) => {
  const storage = await openIdbStorage({ peerId: 'reload', dbName });
  const summary = await summarize(storage);
  await storage.close();
  await deleteIdbStorage({ dbName });
  return summary;
};

window.runRandomHistories = async (from, count, batches) => {
  for (let seed = from; seed < from + count; seed++) {
    const resources: Resources = { storages: [], dbNames: [] };
    const dbName = nextDbName();
    try {
      await runRandomHistory(() => openTracked(resources, dbName), seed, batches);
    } catch (error) {
      return { name: `random history ${seed}`, ok: false, error: describe(error) };
    } finally {
      await release(resources);
    }
  }
  return null;
};

window.runCrashHistories = async (from, count, batches) => {
  const runs: CrashRun[] = [];
  for (let seed = from; seed < from + count; seed++) {
    try {
      runs.push(await crashRun(seed, batches, nextDbName()));
    } catch (error) {
      return { runs, failure: { name: `crash history ${seed}`, ok: false, error: describe(error) } };
    }
  }
  return { runs, failure: null };
};

document.getElementById('status')!.textContent = `ready: ${runners.size} cases`;
