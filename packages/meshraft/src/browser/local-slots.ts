// The slots of one group on this browser profile (see @meshraft/core lifecycle/local-slots.ts for
// the rules): one IndexedDB database per slot, named `meshraft:<room>:<slot>`, each used by at most
// one live tab, which holds the slot's Web Lock for its whole life. Departure tombstones live in
// localStorage, because a closing tab can write there synchronously (IndexedDB cannot be waited
// for in `pagehide`); one item per departed identity, so tabs closing at the same moment (each in
// its own renderer, each with its own cached copy of localStorage) never overwrite each other's.
// A Web Lock held across the start-up decision keeps two tabs that open at the same moment from
// both re-founding, or both taking the same slot.
import { handOverLimits, logConfiguration, replayedNotice, SlotCollector, type Departure, type HandOverLimits, type LogConfiguration, type Membership, type PeerId, type SlotSummary } from '@meshraft/core';
import type { IdbStorage } from '@meshraft/idb';
import type { LockManagerLike } from '../identity';

const dbPrefix = (room: string) => `meshraft:${room}:`;
export const slotDbName = (room: string, slot: string) => `${dbPrefix(room)}${slot}`;
export const slotLockName = (room: string, slot: string) => `meshraft:slot:${room}:${slot}`;
export const startupLockName = (room: string) => `meshraft:startup:${room}`;
const tombstonePrefix = (room: string) => `meshraft:departed:${room}:`;
/**
 * Notices this profile only heard of (an engine relayed them) live under keys of their own: a
 * departing tab writes its own record first, but another tab's process may not see that write yet
 * when the notice reaches it, and a relayed copy under the same key would replace the record and
 * lose `own` (every reopened tab then stayed frozen: condition 6 took the last leader for another
 * device's voter). An own record always wins over a relayed one.
 */
const relayedPrefix = (room: string) => `meshraft:departed-relayed:${room}:`;
const slotHintKey = (room: string) => `meshraft:slot:${room}`;
const joinedKey = (room: string, peerId: PeerId) => `meshraft:joined:${room}:${peerId}`;

/** At most this many tombstones are kept per group (the oldest go first; they are tiny). */
const MAX_TOMBSTONES = 256;

export interface KeyValueStore {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SlotEnvironment {
  /** Names of this origin's IndexedDB databases (indexedDB.databases()). */
  databases(): Promise<string[]>;
  /** Opens a slot's database, creating it if there is none (a slot this tab holds the lock of). */
  openSlot(dbName: string): Promise<IdbStorage>;
  /** Opens a slot's database only if it exists; null, and nothing created, if there is none. */
  openExistingSlot(dbName: string): Promise<IdbStorage | null>;
  deleteSlot(dbName: string): Promise<void>;
  locks: LockManagerLike & { query(): Promise<{ held?: Array<{ name?: string }> }> };
  /** Origin-wide, survives every tab (localStorage). */
  local: KeyValueStore;
  /** Calls `handler` with the key of each item another tab changes in `local` (the 'storage' event); returns a stop function. */
  watchLocal?(handler: (key: string | null) => void): () => void;
  /** This tab's own (sessionStorage): which slot it used, for a reload. */
  session: KeyValueStore;
  mintSlotId(): string;
  /** Wall-clock time in ms (default Date.now): how long a crashed tab's slot has looked unclaimed. */
  now?(): number;
}

/**
 * A crashed tab's slot is deleted only once its identity has been missing from the configuration
 * this long: a tab that crashed right after asking to join may still be added by the leader, and
 * then its slot is the only way back for that member (a successor list may name it).
 */
export const CRASHED_SLOT_GRACE_MS = 10_000;

/** A slot's summary plus what the founding decision needs of the chosen one. */
export interface SlotView extends SlotSummary {
  dbName: string;
  term: number;
  commit: number;
}

export class LocalSlots {
  /** The clean-up rule, with when each crashed tab's slot was first seen unnamed (see collect()). */
  private readonly collector = new SlotCollector(CRASHED_SLOT_GRACE_MS);

  constructor(
    private readonly env: SlotEnvironment,
    readonly room: string,
  ) {}

  /**
   * Every slot of this group on the profile, with who holds it and how far its log goes. A slot
   * whose database cannot be read (a newer version's, a corrupt one, one another tab deleted while
   * this one listed) counts as in use and holding nothing (unreadableSlot): no tab adopts it, takes
   * it over or deletes it, and it does not keep a tab from starting. A database gone by the time
   * it is opened (another tab's clean-up deleted it) is left out, and not created again: opening a
   * missing database would leave an empty one behind, a slot nothing chose.
   */
  async list(): Promise<SlotView[]> {
    const prefix = dbPrefix(this.room);
    const [databases, locks] = await Promise.all([this.env.databases(), this.env.locks.query()]);
    const names = databases.filter((name) => name.startsWith(prefix));
    const held = new Set((locks.held ?? []).map((lock) => lock.name));
    const tombs = this.tombstones();
    // Each slot's database is opened and read at the same time as the others' (reads only): a tab
    // starts under the start-up lock, so every tab opening after it waits for this list too.
    const read = await Promise.allSettled(
      names.map(async (dbName): Promise<SlotView | null> => {
        const slot = dbName.slice(prefix.length);
        const storage = await this.env.openExistingSlot(dbName);
        if (storage === null) return null;
        try {
          const [peerId, stored, hard] = await Promise.all([storage.identity(), storage.last(), storage.hardState()]);
          const departed = peerId === null ? null : (tombs.get(peerId) ?? null);
          // Entries of a term past the departure notice's are dropped when the slot is taken over
          // (IdbStorage.handOver): nobody else learned of them, so they make the slot no more up to date.
          const last = departed && stored.term > departed.term ? await storage.lastWithinTerm(departed.term) : stored;
          return {
            slot,
            dbName,
            peerId,
            inUse: held.has(slotLockName(this.room, slot)),
            departed,
            joined: peerId !== null && this.env.local.getItem(joinedKey(this.room, peerId)) === '1',
            lastIndex: last.index,
            lastTerm: last.term,
            term: hard.term,
            commit: hard.commit,
          };
        } finally {
          await storage.close();
        }
      }),
    );
    const views = read.map((result, i) => (result.status === 'fulfilled' ? result.value : unreadableSlot(names[i], names[i].slice(prefix.length))));
    return views.filter((view) => view !== null);
  }

  /**
   * A slot's configurations: its latest, and the voters of those it may not have replaced yet
   * (logConfiguration). `handOver`: the limits of taking the slot over (this.handOverLimits), when
   * the reader will: read as its hand-over will leave it (nothing committed past what the departed
   * page saw, no entry of a later term than its notice's), as the listing already counts its log's end.
   */
  async logConfiguration(dbName: string, handOver?: HandOverLimits): Promise<LogConfiguration> {
    const storage = await this.env.openSlot(dbName);
    try {
      const { entries, snapshot, hardState } = await storage.load();
      return logConfiguration(entries, snapshot?.meta ?? null, hardState.commit, handOver);
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

  /**
   * Records how `peerId` came into its group (SlotSummary.joined): true when it joined, false when
   * it bootstrapped or re-founded. Written under the start-up lock, before the engine runs.
   */
  recordJoined(peerId: PeerId, joined: boolean): void {
    if (joined) this.env.local.setItem(joinedKey(this.room, peerId), '1');
    else this.env.local.removeItem(joinedKey(this.room, peerId));
  }

  // ---------- tombstones ----------

  tombstones(): Map<PeerId, Departure> {
    return this.foundingTombstones().tombstones;
  }

  /**
   * The tombstones as the founding rules take them, from one read: every departure (each notice with
   * its `knew` list when it carried one), the peers among them that departed from a tab of this
   * profile (FoundingInput.ownTombstones), and what each own departure's engine knew had departed
   * before it (FoundingInput.departedBefore).
   */
  foundingTombstones(): { tombstones: Map<PeerId, Departure>; ownTombstones: Set<PeerId>; departedBefore: Map<PeerId, readonly PeerId[]> } {
    const tombstones = new Map<PeerId, Departure>();
    const ownTombstones = new Set<PeerId>();
    const departedBefore = new Map<PeerId, readonly PeerId[]>();
    for (const [peerId, { own, at: _at, before, committed: _committed, ...notice }] of this.tombstoneItems()) {
      tombstones.set(peerId, notice);
      if (own === true) ownTombstones.add(peerId);
      if (before) departedBefore.set(peerId, before);
    }
    return { tombstones, ownTombstones, departedBefore };
  }

  /**
   * Synchronous on purpose (pagehide): from here on `peerId` never votes or acknowledges again, and
   * no tab ever adopts it; its slot's log is only data a new identity may start from.
   */
  tombstone(peerId: PeerId, notice: Departure, own = true, departedBefore?: readonly PeerId[], committed?: number): void {
    // The departed peer's own fields (a relay's `peer` is not kept), as the engine gets them back.
    const stored: StoredTombstone = { ...replayedNotice(notice), at: Date.now() };
    if (own) stored.own = true;
    if (own && departedBefore && departedBefore.length > 0) stored.before = [...departedBefore];
    if (own && committed !== undefined) stored.committed = committed;
    this.env.local.setItem(`${own ? tombstonePrefix(this.room) : relayedPrefix(this.room)}${peerId}`, JSON.stringify(stored));
    // How it started is kept until its slot is taken over or deleted: a departed identity that
    // joined heard of a group, even with an empty log, so its slot is data of that group (the
    // founding rules' holdsGroupData), while one that bootstrapped and stored nothing is not.
    const all = this.tombstoneItems();
    if (all.length <= MAX_TOMBSTONES) return;
    all.sort((a, b) => a[1].at - b[1].at);
    for (const [old] of all.slice(0, all.length - MAX_TOMBSTONES)) {
      this.env.local.removeItem(`${tombstonePrefix(this.room)}${old}`);
      this.env.local.removeItem(`${relayedPrefix(this.room)}${old}`);
    }
  }

  /** Calls `handler` for each tombstone another tab writes from now on (none without `watchLocal`). */
  watchTombstones(handler: (peer: PeerId, notice: Departure) => void): () => void {
    const prefixes = [tombstonePrefix(this.room), relayedPrefix(this.room)];
    if (!this.env.watchLocal) return () => {};
    return this.env.watchLocal((key) => {
      if (key === null) return;
      const prefix = prefixes.find((p) => key.startsWith(p));
      if (prefix === undefined) return;
      const peer = key.slice(prefix.length);
      const notice = this.tombstones().get(peer);
      if (notice) handler(peer, notice);
    });
  }

  /**
   * What a tab taking over `peer`'s slot keeps of it (core handOverLimits): by its notice, and by the
   * index its page had seen committed when it departed (this profile's own tombstones keep it).
   * Undefined when the profile holds no tombstone of it.
   */
  handOverLimits(peer: PeerId): HandOverLimits | undefined {
    const item = this.tombstoneItems().find(([id]) => id === peer)?.[1];
    if (item === undefined) return undefined;
    const { own: _own, at: _at, before: _before, committed, ...notice } = item;
    return handOverLimits(notice, committed);
  }

  /** Every tombstone of this group, by peer id. A corrupt item is as if that tab had not departed: the safe side. */
  private tombstoneItems(): Array<[PeerId, StoredTombstone]> {
    const own = this.itemsUnder(tombstonePrefix(this.room));
    const ownPeers = new Set(own.map(([peer]) => peer));
    return [...own, ...this.itemsUnder(relayedPrefix(this.room)).filter(([peer]) => !ownPeers.has(peer))];
  }

  private itemsUnder(prefix: string): Array<[PeerId, StoredTombstone]> {
    const keys: string[] = [];
    for (let i = 0; i < this.env.local.length; i++) {
      const key = this.env.local.key(i);
      if (key !== null && key.startsWith(prefix)) keys.push(key);
    }
    const items: Array<[PeerId, StoredTombstone]> = [];
    for (const key of keys) {
      try {
        const parsed = JSON.parse(this.env.local.getItem(key) ?? 'null') as unknown;
        if (!isNotice(parsed)) continue;
        const { successors, own, before, knew, committed, ...notice } = parsed;
        const valid = isPeerList(successors) ? { successors } : {};
        // A list that does not parse is as if the notice had none (an older version's): the safe side.
        const knewValid = isPeerList(knew) ? { knew } : {};
        const ownBefore = own === true && isPeerList(before) ? { before } : {};
        const ownCommitted = own === true && Number.isSafeInteger(committed) && committed! >= 0 ? { committed } : {};
        items.push([key.slice(prefix.length), { ...notice, ...valid, ...knewValid, ...ownBefore, ...ownCommitted, at: Number.isFinite(parsed.at) ? parsed.at : 0, ...(own === true ? { own: true as const } : {}) }]);
      } catch {
        // Skipped: see above.
      }
    }
    return items;
  }

  // ---------- clean-up ----------

  /**
   * Deletes databases nobody can use any more, while this tab runs the group (its data is held by
   * live tabs then): free slots of departed identities beyond the two most up-to-date (those stay,
   * so the group can be re-founded after every tab closed), free slots of identities that did
   * not depart (crashed tabs) once the group's configuration has not named them for
   * CRASHED_SLOT_GRACE_MS (seen at two clean-ups at least that far apart), and free slots that
   * hold nothing at all (no identity, no log, no term): a tab that crashed before it wrote its
   * identity leaves one, and so did listings of earlier versions.
   */
  async collect(members: Membership): Promise<number> {
    const member = (id: PeerId) => members.voters.includes(id) || members.learners.includes(id);
    const doomed = this.collector.doomed(await this.list(), member, this.env.now?.() ?? Date.now());
    let deleted = 0;
    for (const view of doomed) {
      // Take the slot's lock while deleting, so no tab starting right now adopts it meanwhile.
      const took = await new Promise<boolean>((resolve) => {
        this.env.locks
          .request(slotLockName(this.room, view.slot), { ifAvailable: true }, async (lock) => {
            if (lock === null) return resolve(false);
            await this.env.deleteSlot(view.dbName);
            if (view.peerId !== null) this.env.local.removeItem(joinedKey(this.room, view.peerId));
            resolve(true);
          })
          .catch(() => resolve(false));
      });
      if (took) deleted++;
    }
    return deleted;
  }
}

/**
 * A slot whose database could not be read. In use: chooseSlot never adopts or takes it over, the
 * clean-up never deletes it (its data may be a live tab's, or a newer version's), and the founding
 * rules count a tab there that may be starting or running (no re-founding beside it). Holding no
 * identity and an empty log: it names no running peer and no log tail, and raises no term.
 */
function unreadableSlot(dbName: string, slot: string): SlotView {
  return { slot, dbName, peerId: null, inUse: true, departed: null, joined: false, lastIndex: 0, lastTerm: 0, term: 0, commit: 0 };
}

/**
 * A tombstone as kept in localStorage: the notice (with the `knew` list it carried), when it was
 * written here (`at`: the oldest go first past MAX_TOMBSTONES), whether the identity departed from
 * a tab of this profile (`own`; absent: a notice from another device, or a tombstone of an older
 * version, which counts as such: the safe side), and for such a departure the voters whose notices
 * its engine had received by then (`before`, DeparturePlan.departedBefore) and the highest index
 * its page had seen committed (`committed`, for handOverLimits).
 */
type StoredTombstone = Departure & { at: number; own?: true; before?: PeerId[]; committed?: number };

function isPeerList(value: unknown): value is PeerId[] {
  return Array.isArray(value) && value.every((p) => typeof p === 'string');
}

function isNotice(value: unknown): value is StoredTombstone {
  const n = value as Partial<Departure> | null;
  return (
    n !== null &&
    typeof n === 'object' &&
    Number.isSafeInteger(n.term) &&
    Number.isSafeInteger(n.lastIndex) &&
    Number.isSafeInteger(n.lastTerm)
  );
}
