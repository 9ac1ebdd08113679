// The leader <-> follower traffic of a term (Raft Fig. 2 "Rules for Servers"): the term check and
// answers to a stale leader, then AppendEntries / Heartbeat on a follower (handed to catch-up when it
// runs or should start), TimeoutNow (leadership transfer, thesis §3.10), and on the leader the
// answers to its AppendEntries and Heartbeats.
import type { AppendEntries, Message } from '../messages';
import type { PeerId, Role } from '../types';
import type { CatchUpDriver } from './catchup-driver';
import { earlierLeaderEntries, type FollowerLog, isWellFormedAppend, onAppendEntries, onHeartbeat } from './follower';
import type { LeaderState } from './leader';
import type { MembershipClient } from './membership-client';
import type { MembershipTracker } from './membership';
import type { EngineCore, RoleTransitions, RoleView } from './node-context';
import type { RequestHandler } from './requests';

/** The messages handled here. */
export type ReplicationMessage = Extract<Message, { type: 'AppendEntries' | 'Heartbeat' | 'TimeoutNow' | 'AppendEntriesResponse' | 'HeartbeatResponse' }>;

/** What replication traffic uses of RaftNode. */
export interface ReplicationHost
  extends FollowerLog,
    Pick<EngineCore, 'now' | 'send' | 'membership' | 'unacknowledged'>,
    Pick<RoleView, 'role' | 'leaderId'>,
    Pick<RoleTransitions, 'adoptTerm'> {
  /** Messages dropped because they made no sense here (counted). */
  droppedMessages: number;
  /** Leader-only state while this peer leads, else null. */
  readonly leader: LeaderState | null;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'onAppend' | 'abort'>;
  readonly members: Pick<MembershipClient, 'onLeaderContact'>;
  readonly requests: Pick<RequestHandler, 'resolveReads'>;
  /** Follow `leader` as the leader of the current term and restart the election timer (it was heard). */
  followLeader(leader: PeerId): void;
  canCampaign(): boolean;
  /** Start a campaign (candidacy.ts). */
  campaign(kind: 'pre' | 'real', transfer: boolean): void;
}

export function onReplicationMessage(node: ReplicationHost, from: PeerId, m: ReplicationMessage): void {
  if (m.type === 'AppendEntries' && !isWellFormedAppend(m)) {
    node.droppedMessages++;
    return;
  }
  if (!node.adoptTerm(m.term, m.type === 'AppendEntries' || m.type === 'Heartbeat' ? from : null) && m.term < node.term) {
    // A stale leader learns our newer term from the answer and steps down.
    if (m.type === 'AppendEntries') {
      node.send(from, { type: 'AppendEntriesResponse', term: node.term, success: false, matchIndex: 0, lastIndex: node.log.lastIndex() });
      keepEarlierLeaderEntries(node, m);
    } else if (m.type === 'Heartbeat') {
      // Round 0, never the old heartbeat's: this only tells the stale leader our term. Should that peer
      // lead again in our term, its new leadership counts rounds from 0 again, and an echoed round
      // would confirm its reads of that round number without anyone acknowledging them (thesis §6.4).
      node.send(from, { type: 'HeartbeatResponse', term: node.term, round: 0, lastIndex: node.log.lastIndex() });
    }
    return;
  }
  switch (m.type) {
    case 'AppendEntries':
    case 'Heartbeat': {
      if (node.role === 'leader') {
        node.droppedMessages++; // two leaders in one term cannot happen; never trust it
        return;
      }
      node.followLeader(from);
      if (m.type === 'AppendEntries') {
        const answer = node.catchUp.onAppend(m) ?? onAppendEntries(node, m);
        if (answer.success) node.unacknowledged.acknowledged(answer.matchIndex, node.log.lastIndex());
        node.send(from, answer);
      } else {
        node.send(from, onHeartbeat(node, m));
      }
      node.members.onLeaderContact(from, node.now);
      return;
    }
    case 'TimeoutNow':
      // Thesis §3.10: campaign at once, skipping pre-vote; voters will not ignore it.
      if (node.role !== 'leader' && node.canCampaign() && !node.catchUp.active) node.campaign('real', true);
      return;
    case 'AppendEntriesResponse':
      node.leader?.onAppendResponse(from, m, node.now);
      return;
    case 'HeartbeatResponse':
      if (node.leader) node.requests.resolveReads(node.leader.onHeartbeatResponse(from, m, node.now));
      return;
  }
}

/**
 * A stale AppendEntries (an earlier term than ours, answered with a refusal): keep its entries that
 * continue our log (follower.ts earlierLeaderEntries), unacknowledged. Unacknowledged, they count
 * toward no commit, no commit index moves, and this peer's departure position leaves them out
 * (unacknowledged-entries.ts). Why: a departing leader's last appends can arrive after its
 * TimeoutNow target's RequestVote, which travels another link. If they carry entries that only
 * departed peers held, a survivor that threw them away could never cover those peers' final
 * positions, and no quorum could form again (tab-lifecycle.md). Never on a leader, nor on a log whose
 * configuration is not logged yet (a re-founded group's: the old configuration's entries would undo
 * the re-founding); a catch-up session repairing the log stops first (it starts again if still
 * needed). Returns how many entries were kept.
 */
export function keepEarlierLeaderEntries(
  node: FollowerLog &
    Pick<EngineCore, 'unacknowledged'> & { role: Role; catchUp: Pick<CatchUpDriver, 'active' | 'abort'>; membership: Pick<MembershipTracker, 'needsLogging'> },
  m: AppendEntries,
): number {
  if (node.role === 'leader' || node.membership.needsLogging()) return 0;
  const entries = earlierLeaderEntries(node.log, m);
  if (entries.length === 0) return 0;
  if (node.catchUp.active) node.catchUp.abort();
  node.unacknowledged.kept(entries[0].index);
  node.appendToLog(entries);
  return entries.length;
}
