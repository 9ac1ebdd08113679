// Who this peer is and where its log lives, decided before the engine starts. In a browser that is
// a slot of the profile (browser/slot-claim.ts: a crashed tab's identity adopted, a departed tab's
// log taken over by a new identity, or a new slot), decided under a Web Lock; in Node, or with an
// explicit `peerId`, a fixed identity with no slots to consider (only whether its storage is empty).
import { decideFounding, type Departure, type Founding, type LogTail, type Membership, type PeerId, type RoomEvidence, type SlotChoice } from '@meshraft/core';
import type { StorageOption } from '../options';
import { storageHoldsNothing } from './storage';

export interface Claim {
  readonly peerId: PeerId;
  /** IndexedDB database of the slot; undefined: the storage option's default for `peerId`. */
  readonly dbName?: string;
  readonly choice: SlotChoice;
  /** Peer ids of this profile's running tabs of the group (their slots are in use), seen at the claim. */
  readonly localPeers?: readonly PeerId[];
  /**
   * A new slot in a profile where no slot holds a log: this identity starts with nothing (it is
   * gossiped as PeerView.pristine until it has a log, a term or a group). For a fixed identity: its
   * storage held no term, vote, log or snapshot when it was looked at (storageHoldsNothing).
   * Undefined: not known, so never claimed.
   */
  readonly pristine?: boolean;
  /**
   * Entries of another slot of this profile that no tab runs which continue this slot's log toward
   * a departed peer's final position it falls short of (browser/local-log-tail.ts): the engine
   * starts with them (RaftNodeOptions.logTail).
   */
  readonly logTail?: LogTail;
  /** How this peer comes into its group, given what the signaling room shows (`mayLead`: false for an observer). */
  founding(room: RoomEvidence, mayLead: boolean): Promise<Founding>;
  /** How this identity came into its group, recorded for the start-up rules of other tabs (SlotSummary.joined). */
  recordStart?(founding: Exclude<Founding, 'wait'>): void;
  /** Before a re-founding engine starts: move the slot's term past every departed voter's. */
  prepareRefound?(): Promise<void>;
  /** The start-up decision is over (the engine runs): other tabs may decide now. */
  settled(): void;
  /**
   * Tombstone this identity, synchronously (pagehide): it never votes or acknowledges again.
   * `departedBefore`: the voters whose notices its engine had received (DeparturePlan.departedBefore).
   * `committed`: the highest index its page had seen committed (core handOverLimits).
   */
  tombstone?(notice: Departure, departedBefore?: readonly PeerId[], committed?: number): void;
  /** Keep another peer's departure notice with this profile's tombstones. */
  recordDeparture?(peer: PeerId, notice: Departure): void;
  /** Every departure recorded on this profile (tombstones), by peer id. */
  departures?(): ReadonlyMap<PeerId, Departure>;
  /** The peers of departures() that departed from a tab of this profile. */
  ownDepartures?(): ReadonlySet<PeerId>;
  /** Calls `handler` for each departure another tab of this profile records from now on; returns a stop function. */
  watchDepartures?(handler: (peer: PeerId, notice: Departure) => void): () => void;
  /** A new identity on the same slot (after a departure or a removal): its log is a warm start. */
  renew?(): Promise<PeerId>;
  /**
   * This tab's engine reports it frozen (every voter of its configuration departed; it was named by
   * no successor list): decide again, under the start-up lock and with the slots as they are now,
   * whether it may re-found the group on its own slot or a more up-to-date departed one
   * (frozenRestartSlot, decideFrozenRestart). Null when the lock is
   * busy (another tab is starting: ask again later).
   */
  reconsider?(mayLead: boolean): Promise<FrozenRestart | null>;
  /** Delete databases of this group nobody can use any more; returns how many. */
  collect?(members: Membership): Promise<number>;
  /** Let the slot go (close). */
  release(): void;
}

/**
 * Whether `claim` comes into its group by joining whatever a settled room says ('empty', 'frozen' or
 * 'occupied'). Its start then need not wait for the room's evidence (a young server's window after a
 * restart, a room peer not heard from yet): joining founds nothing, so it is safe on any evidence.
 * That is what a crashed identity adopted again, a reload beside the profile's other running tabs
 * and a new tab in a profile holding the group's data do; a start that might bootstrap or re-found
 * still waits.
 */
export async function joinsWhateverTheRoom(claim: Claim, mayLead: boolean): Promise<boolean> {
  for (const room of ['empty', 'frozen', 'occupied'] as const) if ((await claim.founding(room, mayLead)) !== 'join') return false;
  return true;
}

/** A frozen tab's second start-up decision, holding the start-up lock until release(). */
export interface FrozenRestart {
  /** Peer ids of this profile's other running tabs now (the room's evidence does not count them). */
  readonly localPeers: readonly PeerId[];
  /**
   * The slot's database the new identity runs on: the tab's own, or a departed tab's whose log is
   * more up to date (frozenRestartSlot), whose lock the decision holds.
   */
  readonly dbName?: string;
  decide(room: RoomEvidence): Promise<'refound' | 'stay' | 'wait'>;
  /**
   * A new identity on the decision's slot, its term moved past every departed voter's: the engine
   * re-founds as it. `final`: the frozen identity's departure notice; null (nothing renewed) when
   * the decision's slot is another one whose log is not at least as up to date as that position,
   * or when the slot's log ends before `applied` (the page's applied index: those entries were
   * committed, and a group re-founded on a shorter log would write others at their indexes while
   * the page's state keeps them).
   */
  renewForRefound(final: Departure | null, applied?: number): Promise<PeerId | null>;
  /** Let other tabs start (after the re-founded engine runs, or when staying). */
  release(): void;
}

/**
 * A fixed identity: no slots, so only the room decides (bootstrap, join or wait). `pristine`: its
 * storage holds nothing (storageHoldsNothing), so other new peers need not wait for it.
 */
export function fixedClaim(peerId: PeerId, pristine?: boolean): Claim {
  const choice: SlotChoice = { kind: 'new' };
  return {
    peerId,
    choice,
    pristine: pristine === true ? true : undefined,
    founding: async (room, mayLead) => decideFounding({ choice, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room, mayLead }),
    settled: () => {},
    release: () => {},
  };
}

/** A fixed identity on `storage`, pristine when that storage holds nothing yet (storageHoldsNothing). */
export async function fixedClaimOn(peerId: PeerId, storage: StorageOption): Promise<Claim> {
  return fixedClaim(peerId, await storageHoldsNothing(storage, peerId));
}
