// A browser profile keeps the Raft state of a group in "slots": one IndexedDB database each, used
// by at most one live tab at a time (a Web Lock says which are in use). A slot outlives the tab
// that used it, so closing a tab never strands its data. What a slot holds is an identity (a peer
// id) and that identity's log. When a tab closes gracefully its identity departs for good (it is
// tombstoned before its Departure notice is sent), and the slot's log is then only data that a new
// identity may start from. When a tab dies without warning (a crash) the identity did not depart,
// and any new tab may adopt it: a restart from durable state is always safe in Raft.
//
// These are the pure rules over what a tab can see locally; the browser runtime and the simulator
// both use them, so the simulator checks exactly what tabs do.
import type { Departure } from '../messages';
import type { PeerId } from '../types';

/** What a tab can read about one slot without loading its whole log. */
export interface SlotSummary {
  slot: string;
  /** The identity stored in the slot (null: never started). */
  peerId: PeerId | null;
  /** A live tab holds the slot (its lock is taken). */
  inUse: boolean;
  /**
   * The identity started by joining its group (not by bootstrapping or re-founding) and has not
   * re-founded since. Such a tab, running, is no reason for another not to re-found: it continues
   * a group whose voters all departed only by a re-founding decision of its own, which the start-up
   * lock orders before or after the other's (and whichever comes second sees the first's record).
   * Absent: not known, which counts as possibly re-founded.
   */
  joined?: boolean;
  /** The identity's tombstone, when it departed: its notice (term and final position). */
  departed: Departure | null;
  /** The log's end (the snapshot's index and term when the log after it is empty; 0/0 when empty). */
  lastIndex: number;
  lastTerm: number;
  /** The slot's stored current term (0: it never heard of any group). Absent: not known. */
  term?: number;
}

/** How a starting tab uses the local slots. */
export type SlotChoice =
  /** Restart an identity that did not depart (a crashed or killed tab): same peer id, same log. */
  | { kind: 'adopt'; slot: string; peerId: PeerId }
  /** A departed identity's slot: a new peer id starts from its log (warm start, no refetch). */
  | { kind: 'succeed'; slot: string; previous: PeerId }
  /** No free slot with data: a new, empty slot. */
  | { kind: 'new' };

/** The identities this profile's running tabs hold (slots in use), but the one on `exceptSlot`. */
export function runningPeers(slots: readonly SlotSummary[], exceptSlot: string | null = null): PeerId[] {
  return slots.filter((s) => s.inUse && s.peerId !== null && s.slot !== exceptSlot).map((s) => s.peerId!);
}

/** Log order of §5.4.1: true when (aIndex, aTerm) is at least as up to date as (bIndex, bTerm). */
export function atLeastAsUpToDate(a: { lastIndex: number; lastTerm: number }, b: { lastIndex: number; lastTerm: number }): boolean {
  return a.lastTerm > b.lastTerm || (a.lastTerm === b.lastTerm && a.lastIndex >= b.lastIndex);
}

/**
 * Which slot a starting tab takes. An identity that did not depart comes first (its group may need
 * its vote back: a majority of crashed tabs waits for exactly this), the tab's own previous slot
 * before others (a reload keeps its peer id after a crash); then the most up-to-date departed slot
 * (the tab's own previous slot when it is as up to date), so that re-founding, when it is allowed,
 * starts from the best log; else a new slot.
 */
export function chooseSlot(slots: readonly SlotSummary[], preferred: string | null): SlotChoice {
  const free = slots.filter((s) => !s.inUse && s.peerId !== null);
  const alive = free.filter((s) => s.departed === null);
  const own = alive.find((s) => s.slot === preferred);
  if (own) return { kind: 'adopt', slot: own.slot, peerId: own.peerId! };
  if (alive.length > 0) {
    const best = mostUpToDate(alive, preferred);
    return { kind: 'adopt', slot: best.slot, peerId: best.peerId! };
  }
  const departed = free.filter((s) => s.departed !== null);
  if (departed.length > 0) {
    const best = mostUpToDate(departed, preferred);
    return { kind: 'succeed', slot: best.slot, previous: best.peerId! };
  }
  return { kind: 'new' };
}

/**
 * The slot a frozen tab (running on `own`) would re-found the group on, as a reload of it would
 * take it: its own slot, unless a departed slot no tab holds has a strictly more up-to-date log
 * (the last voters' slots hold entries a learner that joined a moment before they closed never
 * received; re-founding must start from the best log on the profile). Then the most up-to-date of
 * those.
 */
export function frozenRestartSlot(slots: readonly SlotSummary[], own: string): string {
  const candidates = slots.filter((s) => s.slot === own || (!s.inUse && s.peerId !== null && s.departed !== null));
  return candidates.length === 0 ? own : mostUpToDate(candidates, own).slot;
}

/** The most up-to-date slot of a non-empty list (§5.4.1 order): `preferred` when it is as up to date as any, then the lowest slot id. */
function mostUpToDate(list: readonly SlotSummary[], preferred: string | null): SlotSummary {
  return [...list].sort((a, b) => {
    if (a.slot === preferred && atLeastAsUpToDate(a, b)) return -1;
    if (b.slot === preferred && atLeastAsUpToDate(b, a)) return 1;
    if (atLeastAsUpToDate(a, b) && !atLeastAsUpToDate(b, a)) return -1;
    if (atLeastAsUpToDate(b, a) && !atLeastAsUpToDate(a, b)) return 1;
    return a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0;
  })[0];
}
