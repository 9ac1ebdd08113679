// What the cluster panel shows per member, derived from this tab's status (pure, no React).
import type { GroupStatus, PeerId, Role } from 'meshraft';

export type OnlineState = 'online' | 'offline' | 'connected' | 'unreachable' | 'unknown';

export interface MemberRow {
  id: PeerId;
  kind: 'voter' | 'learner';
  self: boolean;
  leader: boolean;
  /** null: unknown (no report from that peer). */
  role: Role | null;
  term: number | null;
  committed: number | null;
  applied: number | null;
  online: OnlineState;
}

/**
 * One row per member (voters, then learners). Own values come from `status`; another peer's from
 * `status.peers` when the runtime gossips them; otherwise only what this tab knows for sure: who
 * its leader is, and (from the mesh) whether it is connected to that peer.
 */
export function memberRows(status: GroupStatus, connected: readonly PeerId[] | null): MemberRow[] {
  const kinds: Array<[PeerId, MemberRow['kind']]> = [
    ...status.members.voters.map((id): [PeerId, MemberRow['kind']] => [id, 'voter']),
    ...status.members.learners.map((id): [PeerId, MemberRow['kind']] => [id, 'learner']),
  ];
  return kinds.map(([id, kind]) => {
    const leader = status.leader === id;
    if (id === status.peerId) {
      return {
        id, kind, self: true, leader,
        role: status.role, term: status.term, committed: status.committed, applied: status.applied,
        online: status.online ? 'online' : 'offline',
      };
    }
    const reachable: OnlineState = connected === null ? 'unknown' : connected.includes(id) ? 'connected' : 'unreachable';
    const view = status.peers?.[id];
    if (view) {
      return {
        id, kind, self: false, leader,
        role: view.role, term: view.term, committed: view.committed, applied: view.applied,
        // A report from a peer we are no longer connected to is stale: say so rather than "online".
        online: reachable === 'unreachable' ? 'unreachable' : view.online ? 'online' : 'offline',
      };
    }
    return {
      id, kind, self: false, leader,
      role: leader ? 'leader' : null,
      term: leader && status.online ? status.term : null,
      committed: null, applied: null,
      online: reachable,
    };
  });
}
