// A tab that adopts a crashed identity restarts from that identity's log. When a leader departed a
// moment after the crash, its last appends never reached it, and the leader's final position may
// end in entries no running peer holds (engine/log-tails.ts): a voter whose log falls short of it
// counts the departed leader in every quorum, for good. The leader's own storage is often a slot of
// the same profile that no tab runs, and its log continues the adopted one. The start reads those
// entries there and hands them to the engine (RaftNodeOptions.logTail), which takes them only when
// they continue its log exactly, as it takes a log tail a peer sends.
import type { Departure } from '../messages';
import type { PeerId } from '../types';
import { atLeastAsUpToDate, type SlotSummary } from './local-slots';

/** Entries handed over at most (beyond them, the engine's catch-up and log tail requests go on). */
export const LOCAL_LOG_TAIL_MAX_ENTRIES = 1024;

/**
 * Where a starting tab on `chosen` may read a log tail: the entries after its log's end up to the
 * furthest departed peer's final position it falls short of (`to`, capped), and the free slots
 * whose logs are longer than its own and not behind it, most up to date first. A source counts
 * only when it has the chosen log's last entry (same index and term), which the reader checks.
 * Null when the chosen log falls short of no departed peer's final position, or nothing could hold
 * the entries.
 */
export function localLogTailSources(
  chosen: SlotSummary | undefined,
  slots: readonly SlotSummary[],
  tombstones: ReadonlyMap<PeerId, Departure>,
): { from: number; to: number; sources: string[] } | null {
  if (!chosen || chosen.peerId === null || chosen.lastIndex === 0) return null;
  let upTo = 0;
  for (const tomb of tombstones.values()) if (!atLeastAsUpToDate(chosen, tomb)) upTo = Math.max(upTo, tomb.lastIndex);
  if (upTo <= chosen.lastIndex) return null;
  const sources = slots
    .filter((s) => s.slot !== chosen.slot && !s.inUse && s.peerId !== null && s.lastIndex > chosen.lastIndex && atLeastAsUpToDate(s, chosen))
    .sort((a, b) => b.lastTerm - a.lastTerm || b.lastIndex - a.lastIndex)
    .map((s) => s.slot);
  if (sources.length === 0) return null;
  return { from: chosen.lastIndex + 1, to: Math.min(upTo, chosen.lastIndex + LOCAL_LOG_TAIL_MAX_ENTRIES), sources };
}
