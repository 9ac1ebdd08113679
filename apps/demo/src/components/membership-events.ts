// The cluster panel's event feed, derived from how this tab's view of the group changes (pure, no
// React): a peer joining (as a learner, or straight as a voter), a learner promoted, a member
// leaving the configuration (a closed tab departs and its leader removes it at once; a vanished one
// is removed after a while), and a new leader.
import type { GroupStatus, PeerId } from 'meshraft';

export type ClusterEventKind = 'joined' | 'promoted' | 'left' | 'leader';

export interface ClusterEvent {
  kind: ClusterEventKind;
  peer: PeerId;
  /** The term of a leader event; undefined otherwise. */
  term?: number;
  /** Date.now() when this tab saw it. */
  at: number;
}

/** What the feed compares between two statuses. */
export interface ClusterView {
  peerId: PeerId;
  voters: readonly PeerId[];
  learners: readonly PeerId[];
  leader: PeerId | null;
  term: number;
}

export function clusterView(status: GroupStatus): ClusterView {
  return { peerId: status.peerId, voters: status.members.voters, learners: status.members.learners, leader: status.leader, term: status.term };
}

/**
 * The events between two views of this tab. Nothing before the first configuration is known (a
 * tab does not report the whole group as having just joined), and nothing across a change of this
 * tab's own identity (it started over as a new peer: its first view of the group is a baseline).
 */
export function clusterEvents(before: ClusterView | null, after: ClusterView, at: number): ClusterEvent[] {
  const known = (v: ClusterView) => v.voters.length + v.learners.length > 0;
  if (before === null || !known(before) || before.peerId !== after.peerId) return [];
  const events: ClusterEvent[] = [];
  const wasMember = new Set([...before.voters, ...before.learners]);
  const isMember = new Set([...after.voters, ...after.learners]);
  for (const peer of after.learners) if (!wasMember.has(peer)) events.push({ kind: 'joined', peer, at });
  for (const peer of after.voters) {
    if (!wasMember.has(peer)) events.push({ kind: 'joined', peer, at });
    if (!before.voters.includes(peer)) events.push({ kind: 'promoted', peer, at });
  }
  for (const peer of wasMember) if (!isMember.has(peer)) events.push({ kind: 'left', peer, at });
  if (after.leader !== null && after.leader !== before.leader) events.push({ kind: 'leader', peer: after.leader, term: after.term, at });
  return events;
}

/** How the feed words an event. */
export function describeClusterEvent(event: ClusterEvent): string {
  switch (event.kind) {
    case 'joined':
      return `${event.peer} joined`;
    case 'promoted':
      return `${event.peer} became a voter`;
    case 'left':
      return `${event.peer} left the group`;
    case 'leader':
      return `${event.peer} leads (term ${event.term})`;
  }
}
