// Which voters a re-founding must outlast, read from one stored log. The log's latest configuration
// is the one its owner used (§4.1: a server uses the latest configuration in its log, committed or
// not), but a latest configuration that is not known to be committed may be one no other peer ever
// saw: another voter of the configuration it replaces may have been elected without it and written
// past this log. Two profiles whose logs end in different configurations would then each judge a
// different set of voters, and both could re-found. Only the stored commit index tells that a
// configuration was settled; every configuration after the last settled one (and that one) counts.
import { votersNotIn } from '../engine/membership';
import type { LogEntry, Membership, PeerId, SnapshotMeta } from '../types';

/** What decideFounding reads of a log's configurations (FoundingInput.log). */
export interface LogConfiguration {
  /** The latest configuration: the last config entry, else the snapshot's; null for an empty disk. */
  membership: Membership | null;
  /**
   * Voters of the configurations the latest may not have replaced yet, not in the latest itself:
   * the configuration in force at the stored commit index, and every later one before the latest.
   * Empty when the latest is known committed.
   */
  priorVoters: PeerId[];
}

/**
 * The configurations of a stored log: `entries` after the snapshot (in index order), the
 * snapshot's metadata (its membership is committed), and the stored commit index (which may lag:
 * the engine persists it lazily, and on close).
 */
export function logConfiguration(entries: readonly LogEntry[], snapshot: SnapshotMeta | null, commit: number): LogConfiguration {
  const settledUpTo = Math.max(commit, snapshot?.index ?? 0);
  let settled: Membership | null = snapshot?.membership ?? null;
  const later: Membership[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'config') continue;
    if (entry.index <= settledUpTo) settled = entry.membership;
    else later.push(entry.membership);
  }
  const membership = later.at(-1) ?? settled;
  if (membership === null || later.length === 0) return { membership, priorVoters: [] };
  return { membership, priorVoters: votersNotIn([...(settled ? [settled] : []), ...later.slice(0, -1)], membership) };
}
