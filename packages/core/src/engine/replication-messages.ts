// The leader <-> follower traffic of a term (Raft Fig. 2 "Rules for Servers"): the term check and
// answers to a stale leader, then AppendEntries / Heartbeat on a follower (handed to catch-up when it
// runs or should start), TimeoutNow (leadership transfer, thesis §3.10), and on the leader the
// answers to its AppendEntries and Heartbeats.
import type { Message } from '../messages';
import type { PeerId } from '../types';
import type { CatchUpDriver } from './catchup-driver';
import { type FollowerLog, isWellFormedAppend, onAppendEntries, onHeartbeat } from './follower';
import type { LeaderState } from './leader';
import type { MembershipClient } from './membership-client';
import type { EngineCore, RoleTransitions, RoleView } from './node-context';
import type { RequestHandler } from './requests';

/** The messages handled here. */
export type ReplicationMessage = Extract<Message, { type: 'AppendEntries' | 'Heartbeat' | 'TimeoutNow' | 'AppendEntriesResponse' | 'HeartbeatResponse' }>;

/** What replication traffic uses of RaftNode. */
export interface ReplicationHost
  extends FollowerLog,
    Pick<EngineCore, 'now' | 'send'>,
    Pick<RoleView, 'role' | 'leaderId'>,
    Pick<RoleTransitions, 'adoptTerm'> {
  /** Messages dropped because they made no sense here (counted). */
  droppedMessages: number;
  /** Leader-only state while this peer leads, else null. */
  readonly leader: LeaderState | null;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'onAppend'>;
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
    } else if (m.type === 'Heartbeat') {
      node.send(from, { type: 'HeartbeatResponse', term: node.term, round: m.round, lastIndex: node.log.lastIndex() });
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
      if (m.type === 'AppendEntries') node.send(from, node.catchUp.onAppend(m) ?? onAppendEntries(node, m));
      else node.send(from, onHeartbeat(node, m));
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
