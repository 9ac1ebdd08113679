// What a tab taking a departed tab's slot over keeps of its disk (the hand-over). One rule, written
// once: IdbStorage.handOver applies it inside an IndexedDB transaction, the simulator's DurableStore
// applies it to its image, and logConfiguration reads a slot as the hand-over will leave it, so a
// start-up decision and the disk it starts from never disagree.
import type { Departure } from '../messages';
import type { LogEntry } from '../types';

/**
 * What a tab taking a departed slot over keeps of it (its hand-over: `IdbStorage.handOver`): no
 * commit index past `maxCommit` (never below the snapshot; see handOverLimits), and no entry of a
 * later term than `maxTerm`, the notice's: the departed tab's Worker stored those after its page
 * sent the notice.
 */
export interface HandOverLimits {
  maxCommit?: number;
  maxTerm?: number;
}

/**
 * The limits of taking over a departed identity's slot. `committed`: the highest index its page had
 * seen committed when it departed (the profile keeps it with its own tombstones). Its Worker may
 * have committed entries past it after the notice, as a leader elected a moment before the page
 * closed, whose notice still named its previous term; the group that went on counts that notice's
 * claim capped by the departed leader before it (DepartureBook.claim), and may have written other
 * entries there. Nothing past what the page saw was ever observed committed, so the taker counts
 * nothing past it as committed (and never past the notice's final position). Without it (a notice
 * from an older version's tombstone), only the final position bounds it.
 */
export function handOverLimits(notice: Departure, committed?: number): HandOverLimits {
  const maxCommit = committed === undefined ? notice.lastIndex : Math.min(notice.lastIndex, committed);
  return { maxCommit, maxTerm: notice.term };
}

/**
 * The commit index a hand-over leaves: the stored one, lowered to `maxCommit` but never below the
 * snapshot (a snapshot is committed), and never past `keptEnd`, where the kept log ends (the
 * snapshot's index when no entry is kept; pass Infinity when no entry was dropped).
 */
export function handedOverCommit(commit: number, snapshotIndex: number, keptEnd: number, maxCommit = Number.POSITIVE_INFINITY): number {
  return Math.min(commit, Math.max(maxCommit, snapshotIndex), keptEnd);
}

/**
 * The log (`entries` after the snapshot, in index order) and commit index a hand-over with `limits`
 * leaves: entries of a later term than `maxTerm` dropped, the commit index as handedOverCommit says.
 * Pure; returns `entries` itself when nothing is dropped.
 */
export function handedOver(entries: readonly LogEntry[], snapshotIndex: number, commit: number, limits: HandOverLimits = {}): { entries: readonly LogEntry[]; commit: number } {
  const keep = keptWithinTerm(entries, limits.maxTerm ?? Number.POSITIVE_INFINITY);
  const whole = keep === entries.length;
  const keptEnd = whole ? Number.POSITIVE_INFINITY : Math.max(keep > 0 ? entries[keep - 1].index : 0, snapshotIndex);
  return { entries: whole ? entries : entries.slice(0, keep), commit: handedOverCommit(commit, snapshotIndex, keptEnd, limits.maxCommit) };
}

/**
 * How many of `entries` (in index order) a hand-over with `maxTerm` keeps: terms never fall along
 * a log, so the entries of a later term are its tail.
 */
export function keptWithinTerm(entries: readonly LogEntry[], maxTerm: number): number {
  let keep = entries.length;
  while (keep > 0 && entries[keep - 1].term > maxTerm) keep--;
  return keep;
}
