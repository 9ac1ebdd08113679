// A browser profile as the tab-lifecycle rules see it: slots (one disk each, used by at most one
// running tab) and the tombstones of identities that departed. Tabs of one profile share these;
// tabs of another profile (another browser or device) see none of them.
import type { Departure, PeerId, SlotSummary } from '@meshraft/core';
import { SlotCollector } from '@meshraft/core';
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
  /** The peers of `tombstones` that departed from a tab of this profile (FoundingInput.ownTombstones). */
  readonly ownTombstones = new Set<PeerId>();
  /** For each own departure, the voters its engine knew had departed (FoundingInput.departedBefore). */
  readonly departedBefore = new Map<PeerId, readonly PeerId[]>();
  /** For each own departure, the highest index its page had seen committed (core handOverLimits). */
  readonly committedAtDeparture = new Map<PeerId, number>();
  /** Identities that came into the group by joining (SlotSummary.joined), as the runtime records them. */
  readonly joined = new Set<PeerId>();
  /** Slots deleted by garbage collection (stats). */
  deleted = 0;
  /** The clean-up rule, with when each crashed identity's free slot was first seen unnamed. */
  private readonly collector: SlotCollector;
  private nextSlot = 1;

  constructor(
    readonly name: string,
    /** How long a crashed identity's slot must go unnamed before it is deleted (CRASHED_SLOT_GRACE_MS in tab-profiles.ts). */
    graceMs: number,
  ) {
    this.collector = new SlotCollector(graceMs);
  }

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
      const departed = peerId === null ? null : (this.tombstones.get(peerId) ?? null);
      const { store } = slot;
      // As the runtime's listing (LocalSlots.list): entries of a term past the departure notice's
      // are dropped when the slot is taken over (DurableStore.handOver), so they do not count.
      const last = departed && store.lastTerm() > departed.term ? store.lastWithinTerm(departed.term) : { index: store.lastIndex(), term: store.lastTerm() };
      return {
        slot: slot.id,
        peerId,
        inUse: LocalProfile.inUse(slot),
        departed,
        joined: peerId !== null && this.joined.has(peerId),
        lastIndex: last.index,
        lastTerm: last.term,
        term: store.hardState.term,
      };
    });
  }

  /**
   * Deletes databases nobody can use any more (@meshraft/core SlotCollector, as the browser
   * runtime's LocalSlots.collect), only while the group runs on this profile (`groupOnline`), so the
   * data is held by a live tab. `stillMember`: whether the configuration names an identity. Offline,
   * the grace periods of slots that were taken again or named since are forgotten all the same.
   */
  collect(groupOnline: boolean, stillMember: (id: PeerId) => boolean, now: number): void {
    const summaries = this.summaries();
    if (!groupOnline) return this.collector.prune(summaries, stillMember);
    for (const doomed of this.collector.doomed(summaries, stillMember, now)) this.drop(this.slots.get(doomed.slot)!);
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
