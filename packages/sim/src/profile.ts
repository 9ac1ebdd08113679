// A browser profile as the tab-lifecycle rules see it: slots (one disk each, used by at most one
// running tab) and the tombstones of identities that departed. Tabs of one profile share these;
// tabs of another profile (another browser or device) see none of them.
import type { Departure, PeerId, SlotSummary } from '@meshraft/core';
import { atLeastAsUpToDate } from '@meshraft/core';
import { DurableStore } from './durable-store';
import type { SimPeer } from './sim-peer';

export interface Slot {
  id: string;
  store: DurableStore;
  /** The identity last started on this slot (null: none yet). */
  peer: SimPeer | null;
}

export class LocalProfile {
  readonly slots = new Map<string, Slot>();
  readonly tombstones = new Map<PeerId, Departure>();
  /** Identities that came into the group by joining (SlotSummary.joined), as the runtime records them. */
  readonly joined = new Set<PeerId>();
  /** Slots deleted by garbage collection (stats). */
  deleted = 0;
  /** When each crashed identity's free slot was first seen missing from the configuration. */
  private readonly unnamedSince = new Map<string, number>();
  private nextSlot = 1;

  constructor(readonly name: string) {}

  newSlot(): Slot {
    const slot: Slot = { id: `${this.name}-s${this.nextSlot++}`, store: new DurableStore(), peer: null };
    this.slots.set(slot.id, slot);
    return slot;
  }

  /** A slot is in use while its tab runs (a crashed tab's lock is released; so is a closed tab's). */
  static inUse(slot: Slot): boolean {
    return slot.peer !== null && slot.peer.isUp && !slot.peer.retired;
  }

  summaries(): SlotSummary[] {
    return [...this.slots.values()].map((slot) => {
      const peerId = slot.peer?.id ?? null;
      return {
        slot: slot.id,
        peerId,
        inUse: LocalProfile.inUse(slot),
        departed: peerId === null ? null : (this.tombstones.get(peerId) ?? null),
        joined: peerId !== null && this.joined.has(peerId),
        lastIndex: slot.store.lastIndex(),
        lastTerm: slot.store.lastTerm(),
      };
    });
  }

  /**
   * Deletes databases nobody can use any more: free slots of departed identities beyond the two
   * most up-to-date (those stay, for re-founding after every tab closed), and free slots of crashed
   * identities that `stillMember` has said for `graceMs` the group does not name (a tab that crashed
   * right after asking to join may still be added). Only while the group runs on this profile
   * (`groupOnline`), so the data is held by a live tab. As the browser runtime's LocalSlots.collect.
   */
  collect(groupOnline: boolean, stillMember: (id: PeerId) => boolean, now: number, graceMs: number): void {
    for (const id of [...this.unnamedSince.keys()]) {
      const slot = this.slots.get(id);
      if (!slot || slot.peer === null || LocalProfile.inUse(slot) || stillMember(slot.peer.id)) this.unnamedSince.delete(id);
    }
    if (!groupOnline) return;
    const free = [...this.slots.values()].filter((s) => !LocalProfile.inUse(s) && s.peer !== null);
    const departed = free
      .filter((s) => this.tombstones.has(s.peer!.id))
      .sort((a, b) => (atLeastAsUpToDate(summary(b), summary(a)) && !atLeastAsUpToDate(summary(a), summary(b)) ? 1 : -1));
    for (const slot of departed.slice(2)) this.drop(slot);
    for (const slot of free) {
      if (!this.slots.has(slot.id) || this.tombstones.has(slot.peer!.id) || stillMember(slot.peer!.id)) continue;
      const since = this.unnamedSince.get(slot.id) ?? now;
      this.unnamedSince.set(slot.id, since);
      if (now - since >= graceMs) this.drop(slot);
    }
  }

  /** A removed identity's database is deleted when its tab starts over under a new one. */
  forget(slot: Slot): void {
    if (this.slots.get(slot.id) === slot) this.drop(slot);
  }

  private drop(slot: Slot): void {
    this.slots.delete(slot.id);
    this.deleted++;
  }
}

function summary(slot: Slot): { lastIndex: number; lastTerm: number } {
  return { lastIndex: slot.store.lastIndex(), lastTerm: slot.store.lastTerm() };
}
