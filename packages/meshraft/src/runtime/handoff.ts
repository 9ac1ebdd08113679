// Best effort when a tab goes away (pagehide): a page being unloaded runs no more tasks, so nothing
// that needs the Worker (the engine) can happen any more. What the main thread can still do, in the
// same task, is put frames on the mesh it holds:
//  - a leader sends TimeoutNow to the most caught-up connected voter (thesis §3.10): the new leader
//    is elected at once instead of after an election timeout. Safe: the target still needs a
//    majority of votes from peers whose logs are no more up to date than its own (§5.4.1);
//  - with `leaveOnPageHide`, a follower asks the leader to remove it (LeaveRequest). Off by default:
//    a reload keeps the tab's peer id (sessionStorage) and must find itself still a member; closed
//    tabs are removed by the leader after autoRemoveAfterMs anyway.
import { encodeMessage, type GroupStatus, type Message, type PeerId } from '@meshraft/core';

/** Request ids of page-hide LeaveRequests: far from the engine's own (a reply goes unanswered anyway). */
const PAGE_HIDE_REQUEST_ID = 2 ** 30;

export interface HandoffFrame {
  to: PeerId;
  bytes: Uint8Array;
}

/** The frames to send right now, while the page is being hidden for good. */
export function pageHideFrames(status: GroupStatus, connected: ReadonlySet<PeerId>, leaveOnPageHide: boolean): HandoffFrame[] {
  const frame = (to: PeerId, message: Message): HandoffFrame[] => [{ to, bytes: encodeMessage(message) }];
  if (status.closed || status.removed) return [];
  if (status.role === 'leader') {
    const views = status.peers ?? {};
    const candidates = status.members.voters.filter((id) => id !== status.peerId && connected.has(id));
    if (candidates.length === 0) return [];
    // Most caught up first (gossiped applied index, display data but fine for a hint), then id.
    candidates.sort((a, b) => (views[b]?.applied ?? -1) - (views[a]?.applied ?? -1) || (a < b ? -1 : 1));
    return frame(candidates[0], { type: 'TimeoutNow', term: status.term });
  }
  if (leaveOnPageHide && status.leader !== null && status.leader !== status.peerId && connected.has(status.leader)) {
    return frame(status.leader, { type: 'LeaveRequest', requestId: PAGE_HIDE_REQUEST_ID });
  }
  return [];
}
