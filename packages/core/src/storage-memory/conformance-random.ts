// Random histories for the storage conformance suite. The suite's other cases each check one rule
// on a hand-written sequence; these write hundreds of batches picked at random (appends of one to
// a few hundred entries, truncations, snapshots that agree or conflict with the log, compactions,
// hard states, and batches the contract refuses), several in flight at once as the engine host's
// ready loop issues them, with the store closed and reopened between, and compare what the store
// reads back with a plain model of the PersistBatch contract. A backend that keeps the log in
// runs, caches where it stands or cuts records on truncation and compaction (IdbStorage does all
// three) is checked across boundaries no hand-written case names. Failures name seed and batch.
import { seededRandom } from '../rng';
import type { PersistBatch, PersistedState, Storage } from '../storage';
import type { HardState, LogEntry, Random, Snapshot } from '../types';
import { ConformanceError, checkEqual } from './conformance-assert';

/** The contract applied to plain arrays: what every backend must read back after a batch. */
export class ReferenceLog {
  snapshot: Snapshot | null = null;
  /** The entries after the snapshot, contiguous. */
  entries: LogEntry[] = [];
  hardState: HardState = { term: 0, vote: null, commit: 0 };

  get snapshotIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  last(): { index: number; term: number } {
    const entry = this.entries[this.entries.length - 1];
    if (entry) return { index: entry.index, term: entry.term };
    return this.snapshot ? { index: this.snapshot.meta.index, term: this.snapshot.meta.term } : { index: 0, term: 0 };
  }

  /** What a Storage holding this log must load(). */
  state(): PersistedState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: this.entries };
  }

  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    const entry = this.entries.find((e) => e.index === index);
    if (entry) return entry.term;
    return this.snapshot?.meta.index === index ? this.snapshot.meta.term : undefined;
  }

  /** Applies a batch the contract accepts, in its order: snapshot, truncateFrom, entries, hardState, compactTo. */
  apply(batch: PersistBatch): void {
    if (batch.snapshot) {
      const { index, term } = batch.snapshot.meta;
      // Raft §7: the entries after the snapshot stay only if the log agrees with it at its index.
      this.entries = this.termAt(index) === term ? this.entries.filter((e) => e.index > index) : [];
      this.snapshot = structuredClone(batch.snapshot);
    }
    if (batch.truncateFrom !== undefined) {
      const from = batch.truncateFrom;
      this.entries = this.entries.filter((e) => e.index < from);
    }
    for (const entry of batch.entries) this.entries.push(structuredClone(entry));
    if (batch.hardState) this.hardState = { ...batch.hardState };
    if (batch.compactTo !== undefined) {
      const upTo = batch.compactTo;
      this.entries = this.entries.filter((e) => e.index > upTo);
    }
  }
}

/** One batch of a history and whether the contract accepts it (against every batch before it). */
export interface PlannedBatch {
  batch: PersistBatch;
  kind: string;
  accepted: boolean;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function makeEntries(random: Random, from: number, count: number, term: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let index = from; index < from + count; index++) {
    const roll = random();
    if (roll < 0.75) {
      const data = new Uint8Array(between(random, 0, 40));
      for (let i = 0; i < data.length; i++) data[i] = (index * 31 + i) & 0xff;
      out.push(random() < 0.5 ? { kind: 'command', index, term, data, client: { clientId: `c${index % 3}`, seq: index } } : { kind: 'command', index, term, data });
    } else if (roll < 0.9) out.push({ kind: 'noop', index, term });
    else out.push({ kind: 'config', index, term, membership: { voters: ['a', 'b', `p${index}`], learners: index % 2 ? ['d'] : [] } });
  }
  return out;
}

/** Mostly a few entries; now and then a long run, so records are cut and joined across runs. */
function entryCount(random: Random): number {
  const roll = random();
  return roll < 0.7 ? between(random, 1, 6) : roll < 0.95 ? between(random, 7, 60) : between(random, 100, 400);
}

function makeSnapshot(random: Random, index: number, term: number): Snapshot {
  const data = new Uint8Array(random() < 0.2 ? 0 : between(random, 1, 3000));
  for (let i = 0; i < data.length; i++) data[i] = (index + i * 7) & 0xff;
  return { meta: { index, term, membership: { voters: ['a', 'b', `s${index}`], learners: [] } }, data };
}

function hardStateAfter(random: Random, model: ReferenceLog): HardState {
  const term = model.hardState.term + (random() < 0.3 ? 1 : 0);
  return { term, vote: pick(random, [null, 'a', 'b']), commit: between(random, model.snapshotIndex, model.last().index) };
}

/** A batch the contract refuses, against the model's state; null when none of the kinds applies. */
function refusedBatch(random: Random, model: ReferenceLog): PlannedBatch | null {
  const last = model.last();
  const options: Array<() => PlannedBatch | null> = [
    () => ({ kind: 'gap', accepted: false, batch: { entries: makeEntries(random, last.index + 2, 2, last.term) } }),
    () => (last.index > model.snapshotIndex ? { kind: 'overlap', accepted: false, batch: { entries: makeEntries(random, last.index, 1, last.term) } } : null),
    () => (last.term > 0 ? { kind: 'term-below', accepted: false, batch: { entries: makeEntries(random, last.index + 1, 1, last.term - 1) } } : null),
    () => (model.hardState.term > 0 ? { kind: 'hard-state-below', accepted: false, batch: { entries: [], hardState: { term: model.hardState.term - 1, vote: null, commit: 0 } } } : null),
    () => ({ kind: 'compact-uncovered', accepted: false, batch: { entries: [], compactTo: model.snapshotIndex + between(random, 1, 5) } }),
    () => (model.snapshotIndex >= 1 ? { kind: 'truncate-into-snapshot', accepted: false, batch: { entries: [], truncateFrom: between(random, 1, model.snapshotIndex) } } : null),
    () => (model.snapshotIndex >= 2 ? { kind: 'older-snapshot', accepted: false, batch: { entries: [], snapshot: makeSnapshot(random, model.snapshotIndex - 1, 1) } } : null),
  ];
  return pick(random, options)();
}

/** The next batch of a history: picked from what the model holds once every earlier batch lands. */
export function nextBatch(random: Random, model: ReferenceLog): PlannedBatch {
  const last = model.last();
  const roll = random();
  if (roll < 0.36) {
    const term = last.term + (random() < 0.15 ? 1 : 0);
    const batch: PersistBatch = { entries: makeEntries(random, last.index + 1, entryCount(random), term) };
    if (random() < 0.4) batch.hardState = { ...model.hardState, term: Math.max(model.hardState.term, term), commit: between(random, model.snapshotIndex, last.index) };
    return { kind: 'append', accepted: true, batch };
  }
  if (roll < 0.52) {
    // §5.3: a follower replaces a conflicting suffix (or truncates past its end, which keeps everything).
    const from = last.index > model.snapshotIndex && random() < 0.85 ? between(random, model.snapshotIndex + 1, last.index) : last.index + between(random, 1, 3);
    const kept = Math.min(from - 1, last.index);
    const term = Math.max(model.termAt(kept) ?? 0, last.term) + 1;
    return { kind: 'truncate', accepted: true, batch: { truncateFrom: from, entries: makeEntries(random, kept + 1, between(random, 0, 1) ? entryCount(random) : 0, term) } };
  }
  if (roll < 0.66) {
    // A snapshot installed (it may agree with the log at its index, conflict with it, or lie past its end).
    const index = Math.max(1, between(random, Math.max(model.snapshotIndex, last.index - 80), last.index + 12));
    const held = model.termAt(index);
    const term = held !== undefined && random() < 0.6 ? held : Math.max(held ?? 0, model.snapshot?.meta.term ?? 0, 1) + between(random, 0, 1);
    const batch: PersistBatch = { entries: [], snapshot: makeSnapshot(random, index, term) };
    if (random() < 0.4) batch.compactTo = index;
    if (random() < 0.3) {
      const after = new ReferenceLog();
      Object.assign(after, { snapshot: model.snapshot, entries: [...model.entries] });
      after.apply({ entries: [], snapshot: batch.snapshot });
      const end = after.last();
      batch.entries = makeEntries(random, end.index + 1, between(random, 1, 5), end.term);
    }
    return { kind: 'snapshot', accepted: true, batch };
  }
  if (roll < 0.74) return { kind: 'compact', accepted: true, batch: { entries: [], compactTo: between(random, 0, model.snapshotIndex) } };
  if (roll < 0.9) return { kind: 'hard-state', accepted: true, batch: { entries: [], hardState: hardStateAfter(random, model) } };
  return refusedBatch(random, model) ?? { kind: 'hard-state', accepted: true, batch: { entries: [], hardState: hardStateAfter(random, model) } };
}

/**
 * A history of `batches` batches from `seed` alone (the generator runRandomHistory uses, without its
 * reads in between): for a check that writes it elsewhere, a Worker killed while writing, and
 * replays the model to compare what the store kept.
 */
export function plannedHistory(seed: number, batches: number): PlannedBatch[] {
  const random = seededRandom(seed);
  const model = new ReferenceLog();
  const plan: PlannedBatch[] = [];
  for (let i = 0; i < batches; i++) {
    const planned = nextBatch(random, model);
    if (planned.accepted) model.apply(planned.batch);
    plan.push(planned);
  }
  return plan;
}

/** Every read of the Storage interface, against the model. */
async function compareReads(storage: Storage, model: ReferenceLog, random: Random, where: string): Promise<void> {
  const last = model.last();
  checkEqual(await storage.last(), last, `${where}: last()`);
  checkEqual(await storage.hardState(), model.hardState, `${where}: hardState()`);
  const probes = [0, model.snapshotIndex, model.snapshotIndex + 1, last.index, last.index + 1, between(random, 0, last.index + 2)];
  if (model.snapshotIndex > 0) probes.push(model.snapshotIndex - 1);
  for (const index of probes) checkEqual(await storage.termAt(index), model.termAt(index), `${where}: termAt(${index})`);
  const from = between(random, Math.max(0, model.snapshotIndex - 3), last.index + 1);
  const to = from + between(random, 0, random() < 0.2 ? 500 : 30);
  checkEqual(await storage.entries(from, to), model.entries.filter((e) => e.index >= from && e.index <= to), `${where}: entries(${from}, ${to})`);
  if (random() < 0.3) checkEqual(await storage.snapshot(), model.snapshot, `${where}: snapshot()`);
}

/**
 * Writes `batches` random batches to a fresh store, in waves of 1-4 batches in flight at once, and
 * compares the reads after every wave; reopens the store now and then and compares what it loads.
 */
export async function runRandomHistory(makeStorage: () => Promise<Storage>, seed: number, batches: number): Promise<void> {
  const random = seededRandom(seed);
  const model = new ReferenceLog();
  let storage = await makeStorage();
  let written = 0;
  try {
    while (written < batches) {
      const wave: PlannedBatch[] = [];
      const size = random() < 0.5 ? 1 : between(random, 2, 4);
      for (let i = 0; i < size && written + wave.length < batches; i++) {
        const planned = nextBatch(random, model);
        if (planned.accepted) model.apply(planned.batch);
        wave.push(planned);
      }
      const outcomes = await Promise.allSettled(wave.map((planned) => storage.persist(planned.batch)));
      outcomes.forEach((outcome, i) => {
        const { kind, accepted } = wave[i];
        const at = `seed ${seed}, batch ${written + i + 1} (${kind})`;
        if (accepted && outcome.status === 'rejected') throw new ConformanceError(`${at}: refused a valid batch: ${String(outcome.reason)}`);
        if (!accepted && outcome.status === 'fulfilled') throw new ConformanceError(`${at}: accepted a batch the contract refuses`);
      });
      written += wave.length;
      await compareReads(storage, model, random, `seed ${seed}, after batch ${written}`);
      if (random() < 0.08) {
        await storage.close();
        storage = await makeStorage();
        const loaded = await storage.load();
        checkEqual(loaded, model.state(), `seed ${seed}, load() after reopening at batch ${written}`);
      }
    }
    checkEqual(await storage.load(), model.state(), `seed ${seed}, final load()`);
  } finally {
    await storage.close();
  }
}
