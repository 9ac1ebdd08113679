// The slots of one group on this browser profile (see @meshraft/core lifecycle/local-slots.ts for
// the rules): one IndexedDB database per slot, named `meshraft:<room>:<slot>`, each used by at most
// one live tab, which holds the slot's Web Lock for its whole life. Departure tombstones live in
// localStorage, because a closing tab can write there synchronously (IndexedDB cannot be waited
// for in `pagehide`). A Web Lock held across the start-up decision keeps two tabs that open at the
// same moment from both re-founding, or both taking the same slot.
import type { Departure, Membership, PeerId, SlotSummary } from '@meshraft/core';
import type { IdbStorage } from '@meshraft/idb';
import type { LockManagerLike } from '../identity';

const dbPrefix = (room: string) => `meshraft:${room}:`;
export const slotDbName = (room: string, slot: string) => `${dbPrefix(room)}${slot}`;
export const slotLockName = (room: string, slot: string) => `meshraft:slot:${room}:${slot}`;
export const startupLockName = (room: string) => `meshraft:startup:${room}`;
const tombstoneKey = (room: string) => `meshraft:departed:${room}`;
const slotHintKey = (room: string) => `meshraft:slot:${room}`;

/** At most this many tombstones are kept per group (the oldest go first; they are tiny). */
const MAX_TOMBSTONES = 256;

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SlotEnvironment {
  /** Names of this origin's IndexedDB databases (indexedDB.databases()). */
  databases(): Promise<string[]>;
  openSlot(dbName: string): Promise<IdbStorage>;
  deleteSlot(dbName: string): Promise<void>;
  locks: LockManagerLike & { query(): Promise<{ held?: Array<{ name?: string }> }> };
  /** Origin-wide, survives every tab (localStorage). */
  local: KeyValueStore;
  /** This tab's own (sessionStorage): which slot it used, for a reload. */
  session: KeyValueStore;
  mintSlotId(): string;
}

/** A slot's summary plus what the founding decision needs of the chosen one. */
export interface SlotView extends SlotSummary {
  dbName: string;
  term: number;
  commit: number;
}

export class LocalSlots {
  constructor(
    private readonly env: SlotEnvironment,
    readonly room: string,
  ) {}

  /** Every slot of this group on the profile, with who holds it and how far its log goes. */
  async list(): Promise<SlotView[]> {
    const prefix = dbPrefix(this.room);
    const names = (await this.env.databases()).filter((name) => name.startsWith(prefix));
    const held = new Set(((await this.env.locks.query()).held ?? []).map((lock) => lock.name));
    const tombs = this.tombstones();
    const views: SlotView[] = [];
    for (const dbName of names) {
      const slot = dbName.slice(prefix.length);
      const storage = await this.env.openSlot(dbName);
      try {
        const [peerId, last, hard] = await Promise.all([storage.identity(), storage.last(), storage.hardState()]);
        views.push({
          slot,
          dbName,
          peerId,
          inUse: held.has(slotLockName(this.room, slot)),
          departed: peerId === null ? null : (tombs.get(peerId) ?? null),
          lastIndex: last.index,
          lastTerm: last.term,
          term: hard.term,
          commit: hard.commit,
        });
      } finally {
        await storage.close();
      }
    }
    return views;
  }

  /** The latest configuration in a slot's log (its last config entry, else its snapshot's). */
  async latestMembership(dbName: string): Promise<Membership | null> {
    const storage = await this.env.openSlot(dbName);
    try {
      const { entries, snapshot } = await storage.load();
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (entry.kind === 'config') return entry.membership;
      }
      return snapshot ? snapshot.meta.membership : null;
    } finally {
      await storage.close();
    }
  }

  newSlotId(): string {
    return this.env.mintSlotId();
  }

  /** The slot this tab used before (a reload), if any. */
  preferredSlot(): string | null {
    return this.env.session.getItem(slotHintKey(this.room));
  }

  rememberSlot(slot: string): void {
    this.env.session.setItem(slotHintKey(this.room), slot);
  }

  // ---------- tombstones ----------

  tombstones(): Map<PeerId, Departure> {
    const raw = this.env.local.getItem(tombstoneKey(this.room));
    const out = new Map<PeerId, Departure>();
    if (raw === null) return out;
    try {
      const parsed = JSON.parse(raw) as Record<string, Departure>;
      for (const [peer, notice] of Object.entries(parsed)) {
        if (isNotice(notice)) out.set(peer, notice);
      }
    } catch {
      // A corrupt entry is as if no tab had departed: the safe side (no re-founding from it).
    }
    return out;
  }

  /**
   * Synchronous on purpose (pagehide): from here on `peerId` never votes or acknowledges again, and
   * no tab ever adopts it; its slot's log is only data a new identity may start from.
   */
  tombstone(peerId: PeerId, notice: Departure): void {
    const all = this.tombstones();
    all.delete(peerId);
    all.set(peerId, { type: 'Departure', term: notice.term, lastIndex: notice.lastIndex, lastTerm: notice.lastTerm, ...(notice.led ? { led: true } : {}) });
    const kept = [...all.entries()].slice(-MAX_TOMBSTONES);
    this.env.local.setItem(tombstoneKey(this.room), JSON.stringify(Object.fromEntries(kept)));
  }

  // ---------- clean-up ----------

  /**
   * Deletes databases nobody can use any more, while this tab runs the group (its data is held by
   * live tabs then): free slots of departed identities beyond the two most up-to-date (those stay,
   * so the group can be re-founded after every tab closed), and free slots of identities that did
   * not depart (crashed tabs) once the group's configuration no longer names them.
   */
  async collect(members: Membership): Promise<number> {
    const views = await this.list();
    const free = views.filter((v) => !v.inUse && v.peerId !== null);
    const departed = free.filter((v) => v.departed !== null).sort((a, b) => b.lastTerm - a.lastTerm || b.lastIndex - a.lastIndex);
    const member = (id: PeerId) => members.voters.includes(id) || members.learners.includes(id);
    const doomed = [...departed.slice(2), ...free.filter((v) => v.departed === null && !member(v.peerId!))];
    let deleted = 0;
    for (const view of doomed) {
      // Take the slot's lock while deleting, so no tab starting right now adopts it meanwhile.
      const took = await new Promise<boolean>((resolve) => {
        this.env.locks
          .request(slotLockName(this.room, view.slot), { ifAvailable: true }, async (lock) => {
            if (lock === null) return resolve(false);
            await this.env.deleteSlot(view.dbName);
            resolve(true);
          })
          .catch(() => resolve(false));
      });
      if (took) deleted++;
    }
    return deleted;
  }
}

function isNotice(value: unknown): value is Departure {
  const n = value as Partial<Departure> | null;
  return (
    n !== null &&
    typeof n === 'object' &&
    Number.isSafeInteger(n.term) &&
    Number.isSafeInteger(n.lastIndex) &&
    Number.isSafeInteger(n.lastTerm)
  );
}
