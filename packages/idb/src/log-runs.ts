// The log as runs of contiguous entries, one IndexedDB record per run keyed by its first index
// (schema.ts: LogRun, packed). Runs never overlap, so the run holding index i is the one with the
// largest key <= i. Appending a batch writes one record; truncating or compacting rewrites at most
// the one run the cut goes through and deletes whole records on the other side.
import type { IDBPObjectStore } from 'idb';
import { packEntries, packedBounds, unpackEntries, type LogEntry } from '@meshraft/core';
import { LOG, type LogRun, type MeshraftIdbSchema } from './schema';

type LogStore<Mode extends IDBTransactionMode> = IDBPObjectStore<MeshraftIdbSchema, ('log' | 'meta' | 'snapshot')[], typeof LOG, Mode>;

/** The run that holds `index`, if any. */
export async function runHolding<M extends IDBTransactionMode>(store: LogStore<M>, index: number): Promise<LogRun | undefined> {
  if (index < 1) return undefined;
  const cursor = await store.openCursor(IDBKeyRange.upperBound(index), 'prev');
  const run = cursor?.value;
  return run && packedBounds(run).last >= index ? run : undefined;
}

export async function entryAt<M extends IDBTransactionMode>(store: LogStore<M>, index: number): Promise<LogEntry | undefined> {
  const run = await runHolding(store, index);
  return run ? unpackEntries(run).find((e) => e.index === index) : undefined;
}

export async function lastEntry<M extends IDBTransactionMode>(store: LogStore<M>): Promise<LogEntry | undefined> {
  const cursor = await store.openCursor(null, 'prev');
  const run = cursor?.value;
  if (!run) return undefined;
  const entries = unpackEntries(run);
  return entries[entries.length - 1];
}

export function flatten(runs: LogRun[]): LogEntry[] {
  if (runs.length === 1) return unpackEntries(runs[0]);
  const out: LogEntry[] = [];
  for (const run of runs) for (const entry of unpackEntries(run)) out.push(entry);
  return out;
}

/**
 * The last stored entry of term `term` or lower, and the index of the first entry past it (of a
 * later term), or null when every stored entry is of `term` or lower. Terms never decrease along the
 * log, so this walks the runs back from the end only as far as the later terms go.
 */
export async function lastWithinTerm<M extends IDBTransactionMode>(
  store: LogStore<M>,
  term: number,
): Promise<{ last: LogEntry | undefined; firstPast: number | null }> {
  let firstPast: number | null = null;
  let cursor = await store.openCursor(null, 'prev');
  while (cursor) {
    const entries = unpackEntries(cursor.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].term <= term) return { last: entries[i], firstPast };
      firstPast = entries[i].index;
    }
    cursor = await cursor.continue();
  }
  return { last: undefined, firstPast };
}

/** Stored entries with from <= index <= to, in index order. */
export async function entriesBetween<M extends IDBTransactionMode>(store: LogStore<M>, from: number, to: number): Promise<LogEntry[]> {
  const holding = await runHolding(store, from);
  const start = holding ? packedBounds(holding).first : from;
  const runs = await store.getAll(IDBKeyRange.bound(start, to));
  return flatten(runs).filter((e) => e.index >= from && e.index <= to);
}

/** Appends `entries` (contiguous, following the stored log) as one run. */
export function appendRun(store: LogStore<'readwrite'>, entries: LogEntry[]): Promise<unknown> {
  return store.put(packEntries(entries), entries[0].index);
}

/** Deletes every entry with index >= from (Raft §5.3). Reads the run the cut goes through first. */
export async function deleteFrom(store: LogStore<'readwrite'>, from: number, requests: Promise<unknown>[]): Promise<void> {
  const cut = await runHolding(store, from - 1);
  if (cut && packedBounds(cut).last >= from) {
    const kept = unpackEntries(cut).filter((e) => e.index < from);
    requests.push(store.put(packEntries(kept), kept[0].index));
  }
  requests.push(store.delete(IDBKeyRange.lowerBound(from)));
}

/** Deletes every entry with index <= upTo (compaction). Reads the run the cut goes through first. */
export async function deleteThrough(store: LogStore<'readwrite'>, upTo: number, requests: Promise<unknown>[]): Promise<void> {
  const cut = await runHolding(store, upTo);
  requests.push(store.delete(IDBKeyRange.upperBound(upTo)));
  if (cut && packedBounds(cut).last > upTo) {
    requests.push(store.put(packEntries(unpackEntries(cut).filter((e) => e.index > upTo)), upTo + 1));
  }
}
