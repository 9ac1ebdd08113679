// Fake browser pieces for the slot claim's tests (slot-claim.test.ts, slot-unreadable.test.ts):
// localStorage / sessionStorage as a map, exclusive Web Locks, and slot databases in memory.
import { MemoryStorage, type PersistedState } from '@meshraft/core';
import type { IdbStorage } from '@meshraft/idb';
import type { KeyValueStore, SlotEnvironment } from '../../src/browser/local-slots';

export class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  key = (i: number) => [...this.map.keys()][i] ?? null;
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

/** Exclusive locks with ifAvailable and wait-with-signal, and query() of held names. */
export class FakeLocks {
  readonly held = new Set<string>();
  private waiters = new Map<string, Array<() => void>>();
  async request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, cb: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    if (this.held.has(name)) {
      if (options.ifAvailable) return cb(null);
      await new Promise<void>((resolve) => this.waiters.set(name, [...(this.waiters.get(name) ?? []), resolve]));
    }
    this.held.add(name);
    try {
      return await cb({ name });
    } finally {
      this.held.delete(name);
      const next = this.waiters.get(name)?.shift();
      next?.();
    }
  }
  async query() {
    return { held: [...this.held].map((name) => ({ name })) };
  }
}

export interface FakeDb {
  state: PersistedState;
  identity: string | null;
}

/**
 * A profile in memory: slot databases (`dbs`, by database name), locks, localStorage and
 * sessionStorage, a clock to move by hand, and `mint` for fresh peer ids p1, p2, ...
 */
export function fakeSlotEnvironment() {
  const dbs = new Map<string, FakeDb>();
  const locks = new FakeLocks();
  const local = new MapStore();
  const session = new MapStore();
  let slotIds = 0;
  const clock = { now: 1_000_000 };
  const env: SlotEnvironment = {
    now: () => clock.now,
    databases: async () => [...dbs.keys()],
    async openSlot(dbName) {
      const db = dbs.get(dbName) ?? { state: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }, identity: null };
      dbs.set(dbName, db);
      const storage = MemoryStorage.from(db.state) as MemoryStorage & Partial<IdbStorage>;
      return Object.assign(storage, {
        identity: async () => db.identity,
        // As IdbStorage's: entries of a term past `term` left out, and handed over without them.
        async lastWithinTerm(term: number) {
          const kept = db.state.entries.filter((e) => e.term <= term).at(-1);
          const snapshot = db.state.snapshot?.meta;
          return kept ? { index: kept.index, term: kept.term } : snapshot ? { index: snapshot.index, term: snapshot.term } : { index: 0, term: 0 };
        },
        async handOver(peerId: string, minTerm = 0, maxCommit = Number.POSITIVE_INFINITY, maxTerm = Number.POSITIVE_INFINITY) {
          db.identity = peerId;
          const entries = db.state.entries.filter((e) => e.term <= maxTerm);
          const last = entries.at(-1)?.index ?? db.state.snapshot?.meta.index ?? 0;
          const commit = Math.min(db.state.hardState.commit, Math.max(maxCommit, db.state.snapshot?.meta.index ?? 0), last);
          db.state = { ...db.state, entries, hardState: { vote: null, term: Math.max(db.state.hardState.term, minTerm), commit } };
        },
      }) as unknown as IdbStorage;
    },
    async openExistingSlot(dbName) {
      return dbs.has(dbName) ? env.openSlot(dbName) : null;
    },
    deleteSlot: async (dbName) => void dbs.delete(dbName),
    locks,
    local,
    session,
    mintSlotId: () => `s${++slotIds}`,
  };
  let ids = 0;
  const mint = () => `p${++ids}`;
  return { env, dbs, locks, local, session, mint, clock };
}
