// Which voters a re-founding must outlast, read from one stored log. The log's latest configuration
// is the one its owner used (§4.1: a server uses the latest configuration in its log, committed or
// not), but a latest configuration that is not known to be committed may be one no other peer ever
// saw: another voter of the configuration it replaces may have been elected without it and written
// past this log. Two profiles whose logs end in different configurations would then each judge a
// different set of voters, and both could re-found. The stored commit index tells that a
// configuration was settled, and so does the log itself for the one its latest replaced, when the
// latest came from a leader's change (MembershipTracker.priorVoters); every configuration after the
// last settled one (and that one) counts.
import { MembershipTracker } from '../engine/membership';
import type { LogEntry, Membership, PeerId, SnapshotMeta } from '../types';
import { handedOver, type HandOverLimits } from './hand-over';

/** What decideFounding reads of a log's configurations (FoundingInput.log). */
export interface LogConfiguration {
  /** The latest configuration: the last config entry, else the snapshot's; null for an empty disk. */
  membership: Membership | null;
  /**
   * Voters of the configurations the latest may not have replaced yet, not in the latest itself:
   * the configuration in force at the stored commit index (or at the one the log shows settled,
   * if later), and every later one before the latest.
   * Empty when the latest is known committed.
   */
  priorVoters: PeerId[];
  /**
   * The voters of each configuration judged, one list per configuration (the ones priorVoters
   * comes from, then the latest): only the latest when it is known committed. Which profile
   * re-founds is decided on each of them (founding.ts, lastDepartureHere).
   */
  voterSets: PeerId[][];
}

/**
 * The configurations of a stored log: `entries` after the snapshot (in index order), the
 * snapshot's metadata (its membership is committed), and the stored commit index (which may lag:
 * the engine persists it lazily, and on close). With `handOver`: as that log reads once a
 * hand-over with those limits has run. A start that takes a departed slot over runs its hand-over
 * before it reads, and a frozen tab deciding whether to re-found on such a slot reads it as its
 * hand-over will leave it: a departed lone voter's Worker may have stored a configuration of a
 * later term and a commit index past that configuration after its notice, and read whole the log
 * then judges only that voter (found by the simulator, `tabs` seed 608,252,617).
 */
export function logConfiguration(entries: readonly LogEntry[], snapshot: SnapshotMeta | null, commit: number, handOver: HandOverLimits = {}): LogConfiguration {
  const snapshotIndex = snapshot?.index ?? 0;
  const { entries: kept, commit: limitedCommit } = handedOver(entries, snapshotIndex, commit, handOver);
  // The engine's own tracker judges the stored log, so a starting tab and a running engine
  // (status.priorVoters) name the same voters.
  const tracker = new MembershipTracker(snapshot?.membership ?? null, snapshotIndex, false);
  tracker.onAppend(kept);
  const known = snapshot !== null || kept.some((entry) => entry.kind === 'config');
  const settled = Math.max(limitedCommit, snapshotIndex);
  return { membership: known ? tracker.current() : null, priorVoters: tracker.priorVoters(settled), voterSets: known ? tracker.judgedConfigurations(settled) : [] };
}
