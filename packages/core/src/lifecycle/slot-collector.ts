// Which slots of a profile nobody can use any more: the clean-up rule the browser runtime and the
// simulator both apply (while a tab of the profile runs the group online, so its data is held by
// live tabs). Deleted are free slots of departed identities beyond the two most up to date (those
// two stay, so the group can be re-founded after every tab closed), and free slots of identities
// that did not depart (crashed tabs) once the configuration has not named them for a grace period,
// seen at two clean-ups at least that far apart: a tab that crashed right after asking to join may
// still be added by the leader, and a successor list may then name it, so its slot is the only way
// back for that member. And free slots that hold no identity and nothing else: an empty database
// left by a tab that crashed between creating its new slot and writing its identity there, or by
// an older version's listing that opened a slot another tab was deleting (opening a database that
// does not exist creates it; the browser runtime's listing now opens only existing ones). Nothing
// chooses them and nothing is lost with them; kept, they would pile up, and every start-up opens
// every slot.
import type { PeerId } from '../types';
import { atLeastAsUpToDate, type SlotSummary } from './local-slots';

export class SlotCollector {
  /** When each crashed identity's free slot was first seen unnamed by the configuration. */
  private readonly unnamedSince = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /**
   * Forgets the slots that are no longer free crashed identities the configuration does not name
   * (taken again, named, departed or gone): their grace period starts over if they become so again.
   */
  prune(slots: readonly SlotSummary[], isMember: (id: PeerId) => boolean): void {
    const unnamed = new Set(unnamedCrashed(slots, isMember).map((s) => s.slot));
    for (const slot of [...this.unnamedSince.keys()]) if (!unnamed.has(slot)) this.unnamedSince.delete(slot);
  }

  /** The slots to delete now (a clean-up while the group runs on this profile). */
  doomed<S extends SlotSummary>(slots: readonly S[], isMember: (id: PeerId) => boolean, now: number): S[] {
    this.prune(slots, isMember);
    const unnamed = unnamedCrashed(slots, isMember);
    for (const s of unnamed) if (!this.unnamedSince.has(s.slot)) this.unnamedSince.set(s.slot, now);
    const departed = slots.filter((s) => !s.inUse && s.peerId !== null && s.departed !== null).sort(byLogOrderDescending);
    const crashedLongAgo = unnamed.filter((s) => now - this.unnamedSince.get(s.slot)! >= this.graceMs);
    return [...departed.slice(2), ...crashedLongAgo, ...slots.filter(isEmptyLeftover)];
  }
}

/** A free slot with no identity, no log and no term (see the head of this file). A tab claiming a new slot holds its lock first, so it is in use. */
function isEmptyLeftover(s: SlotSummary): boolean {
  return !s.inUse && s.peerId === null && s.lastIndex === 0 && s.lastTerm === 0 && s.term === 0;
}

function unnamedCrashed<S extends SlotSummary>(slots: readonly S[], isMember: (id: PeerId) => boolean): S[] {
  return slots.filter((s) => !s.inUse && s.peerId !== null && s.departed === null && !isMember(s.peerId));
}

/** Most up-to-date first (§5.4.1 log order); equal logs keep their order. */
function byLogOrderDescending(a: SlotSummary, b: SlotSummary): number {
  const aFirst = atLeastAsUpToDate(a, b);
  const bFirst = atLeastAsUpToDate(b, a);
  return aFirst === bFirst ? 0 : aFirst ? -1 : 1;
}
