// Messages that carry a term (Raft Fig. 2 "Rules for Servers"): the term check and stale-leader
// answers, then AppendEntries / Heartbeat on a follower (handed to catch-up when it runs or should
// start), TimeoutNow (thesis §3.10), and the leader's view of the answers.
import type { Message } from '../messages';
import type { PeerId } from '../types';
import { campaign } from './candidacy';
import { handleAppendEntries, handleHeartbeat, isWellFormedAppend } from './follower';
import type { RaftNode } from './raft-node';

export function onTermMessage(node: RaftNode, from: PeerId, m: Extract<Message, { term: number }>): void {
  if (m.type === 'AppendEntries' && !isWellFormedAppend(m)) {
    node.droppedMessages++;
    return;
  }
  if (m.term > node.term) {
    node.becomeFollower(m.term, m.type === 'AppendEntries' || m.type === 'Heartbeat' ? from : null);
  } else if (m.term < node.term) {
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
      if (node.role !== 'follower' || node.leaderId !== from) node.becomeFollower(node.term, from);
      node.lastLeaderContact = node.now;
      node.resetElectionTimer();
      if (m.type === 'AppendEntries') node.send(from, node.catchUp.onAppend(m) ?? handleAppendEntries(node, m));
      else node.send(from, handleHeartbeat(node, m));
      node.members.onLeaderContact(from, node.now);
      return;
    }
    case 'TimeoutNow':
      // Thesis §3.10: campaign at once, skipping pre-vote; voters will not ignore it.
      if (node.role !== 'leader' && node.canCampaign() && !node.catchUp.active) campaign(node, 'real', true);
      return;
    case 'AppendEntriesResponse':
      node.leader?.onAppendResponse(from, m, node.now);
      return;
    case 'HeartbeatResponse':
      if (node.leader) node.requests.resolveReads(node.leader.onHeartbeatResponse(from, m, node.now));
      return;
    default:
      node.droppedMessages++;
  }
}
