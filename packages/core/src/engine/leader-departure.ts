// What a departing leader puts in its DeparturePlan besides the notice: the successors it names
// and its last appends (departure-handler.ts builds the plan). Functions over LeaderState, so that
// leader.ts stays about leading.
import type { Envelope } from '../messages';
import type { PeerId } from '../types';
import type { EngineCore } from './node-context';
import type { LeaderState } from './leader';

/** What a departing leader's plan reads of RaftNode. */
export interface DepartingLeaderView extends Pick<EngineCore, 'id' | 'config' | 'log' | 'membership' | 'departures' | 'term' | 'commit'> {}

/** At most this many entries in one of a departing leader's last appends (see finalAppends). */
export const FINAL_APPEND_MAX = 64;

/**
 * The members a departing leader names as successors, best first: voters and learners that asked
 * to vote (of this leader, or of a departed leader that named them), not departed, by match index
 * (then id). They matter only to a peer that finds every voter of its configuration gone (a
 * promotion still in flight, or the last voters leaving, possibly right after electing this one),
 * and it acts only once its log covers the leader's final position. A learner that looks far
 * behind is named too: it may have caught up by catch-up a moment ago (the leader hears of it a
 * heartbeat later), and leaving it out would strand the group.
 */
export function successors(core: DepartingLeaderView, leader: LeaderState): PeerId[] {
  const { membership, id, departures } = core;
  const current = membership.current();
  const ranked: Array<{ peer: PeerId; match: number }> = [];
  for (const peer of [...current.voters, ...current.learners]) {
    const pr = leader.progress.get(peer);
    if (peer === id || !pr || departures.has(peer)) continue;
    if (!current.voters.includes(peer) && !leader.changes.wantsToVote(peer) && !departures.named(peer)) continue;
    ranked.push({ peer, match: pr.match });
  }
  ranked.sort((a, b) => b.match - a.match || (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  return ranked.map((r) => r.peer);
}

/**
 * The last appends of a departing leader (see DeparturePlan.appends): to every member not known
 * departed whose match index is below `upTo`, the entries after it up to `upTo`, and to the
 * handoff target `target` up to the end of the log, so that no live voter holds a more up-to-date
 * log than the one told to campaign (a leadership transfer brings its target up to date first,
 * thesis §3.10; a closing tab cannot wait, so the entries travel just ahead of TimeoutNow). When
 * more are missing (or the match index is not known yet: a leader of a moment), the last
 * FINAL_APPEND_MAX of them, anchored no lower than the compaction point; a member that lacks the
 * anchor rejects it and one that far behind fetches the rest by catch-up. Ordinary AppendEntries
 * of this term, sent while this peer still leads; building them changes no engine state. Rebuilt
 * for every Ready (the host keeps the latest plan), hence the small cap.
 */
export function finalAppends(core: DepartingLeaderView, leader: LeaderState, upTo: number, target: PeerId | null): Envelope[] {
  const { log, config, departures, term, commit } = core;
  const out: Envelope[] = [];
  for (const [peer, pr] of leader.progress) {
    const end = peer === target ? log.lastIndex() : upTo;
    if (departures.has(peer) || pr.match >= end) continue;
    const from = Math.max(pr.match + 1, end - FINAL_APPEND_MAX + 1, log.snapshotIndex + 1);
    const prevLogTerm = log.termAt(from - 1);
    if (prevLogTerm === undefined || from > end) continue;
    const entries = log.batch(from, end - from + 1, config.maxBatchBytes);
    out.push({ to: peer, message: { type: 'AppendEntries', term, prevLogIndex: from - 1, prevLogTerm, entries, leaderCommit: commit } });
  }
  return out;
}
