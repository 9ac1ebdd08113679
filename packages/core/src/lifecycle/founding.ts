// How a starting peer comes into its group: join the group that exists, bootstrap a new group,
// re-found a group whose voters all departed, or wait for evidence. The two rules that keep one
// key from ever having two groups:
//  - bootstrap only when the tab has no local data of the group at all and the signaling server
//    gives evidence that the room is empty which survives a server restart (it has been up longer
//    than any live peer needs to re-register). A tab with local data never bootstraps.
//  - re-found (continue the group on a new identity as its only voter, RaftNodeOptions.refound)
//    only when every voter of the most up-to-date local log's latest configuration departed on
//    this profile (tombstoned: they never vote or acknowledge again), that log is at least as up to
//    date as every one of their final positions, no tab here is running the group, and the room is
//    known to be empty (a successor named by the last leader may be running on another device).
//    Then no quorum of that configuration can ever form again (departures.ts), and that log holds
//    every committed entry (the final positions cover everything those voters counted for).
import type { Departure } from '../messages';
import type { Membership, PeerId } from '../types';
import { atLeastAsUpToDate, type SlotChoice, type SlotSummary } from './local-slots';

/** Whether the signaling room is known to be empty. 'unknown': the server restarted too recently (or is away). */
export type RoomEvidence = 'empty' | 'occupied' | 'unknown';

export type Founding = 'join' | 'bootstrap' | 'refound' | 'wait';

export interface FoundingInput {
  choice: SlotChoice;
  /** Every local slot of the group (the chosen one included). */
  slots: readonly SlotSummary[];
  /** The chosen slot's log end and latest configuration (null for an empty log). */
  log: { lastIndex: number; lastTerm: number; membership: Membership | null };
  /** Tombstones on this profile, by peer id (kept even after a slot is deleted). */
  tombstones: ReadonlyMap<PeerId, Departure>;
  room: RoomEvidence;
}

/**
 * The term a re-founding peer must start from: past every term the group's departed voters and
 * local logs reached (a voter may have been elected just before it left; its term must never be
 * reused by the re-founded group's first election).
 */
export function refoundingTerm(slots: readonly { term: number }[], tombstones: ReadonlyMap<PeerId, Departure>): number {
  let term = 0;
  for (const slot of slots) term = Math.max(term, slot.term);
  for (const tomb of tombstones.values()) term = Math.max(term, tomb.term);
  return term;
}

export function decideFounding(input: FoundingInput): Founding {
  const { choice, slots, log, tombstones, room } = input;
  if (choice.kind === 'adopt') return 'join'; // a restart: its log says which group it is in
  if (choice.kind === 'new') {
    const localData = slots.some((s) => s.peerId !== null);
    if (localData) return 'join';
    if (room === 'empty') return 'bootstrap';
    return room === 'occupied' ? 'join' : 'wait';
  }
  if (!mayRefound(input.log, slots, tombstones, choice.slot)) return 'join';
  // A live peer elsewhere may already continue the group (a successor its last leader named, on
  // another device): re-found only when the room is known to be empty.
  if (room === 'empty') return 'refound';
  return room === 'occupied' ? 'join' : 'wait';
}

function mayRefound(
  log: FoundingInput['log'],
  slots: readonly SlotSummary[],
  tombstones: ReadonlyMap<PeerId, Departure>,
  chosen: string,
): boolean {
  if (log.membership === null || log.membership.voters.length === 0) return false;
  if (slots.some((s) => s.inUse && s.slot !== chosen)) return false;
  // The most up-to-date log on this profile (a departed identity's final position is at most its log's end).
  if (slots.some((s) => s.slot !== chosen && s.peerId !== null && !atLeastAsUpToDate(log, s))) return false;
  return log.membership.voters.every((voter) => {
    const tomb = tombstones.get(voter);
    return tomb !== undefined && atLeastAsUpToDate(log, tomb);
  });
}
