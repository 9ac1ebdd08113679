// Fake browser pieces for the slot claim's tests (slot-claim.test.ts, slot-unreadable.test.ts):
// localStorage / sessionStorage as a map, and exclusive Web Locks.
import type { PersistedState } from '@meshraft/core';
import type { KeyValueStore } from '../../src/browser/local-slots';

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
