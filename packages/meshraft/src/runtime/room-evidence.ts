// What the signaling room says about the group, as evidence that survives a server restart: a
// room the server lists as empty counts as empty only once the server's presence directory has
// been up longer than live peers need to re-register (the mesh's reregisterBoundMs). Until then
// (or while the server is away) the answer is 'unknown' and the caller waits.
//
// With `views` (what connected peers gossip about themselves), a peer that says it is pristine
// (PeerView.pristine: a new tab with nothing local, no log, no group) does not occupy the room: it is
// waiting for a group like the caller and can continue none. Without this, new peers of different
// browsers arriving while the server is young each took the other for a member, all joined, and
// none ever founded the group. A room peer not heard from yet makes the answer 'unknown' (wait for
// its gossip); one that says nothing of the kind (an older version, a member) occupies it. One that
// says it is frozen (PeerView.frozen) runs no group either, but holds a log: the answer is then
// 'frozen', which only the profile holding the configuration's last departure takes for empty.
import { roomEvidenceOf, type PeerId, type PeerView, type RoomEvidence, type RoomPeerSays } from '@meshraft/core';
import type { MeshPort } from './mesh-port';

export function roomEvidence(
  mesh: MeshPort,
  connected: readonly PeerId[],
  now: number,
  local: ReadonlySet<PeerId> = new Set(),
  views?: (id: PeerId) => PeerView | undefined,
): RoomEvidence {
  // This profile's own running tabs do not count: the start-up rules judge them from their slots.
  const occupants = [...new Set([...connected, ...mesh.roomPeers()])].filter((id) => !local.has(id));
  return roomEvidenceOf(
    occupants.map((id) => (views ? peerSays(views(id)) : 'member')),
    roomListComplete(mesh, now),
  );
}

function peerSays(view: PeerView | undefined): RoomPeerSays {
  if (view === undefined) return 'unheard';
  if (view.pristine === true) return 'pristine';
  return view.frozen === true ? 'frozen' : 'member';
}

/** Whether the server's room list holds every live peer: its directory has been up longer than they need to re-register. */
export function roomListComplete(mesh: MeshPort, now: number): boolean {
  const join = mesh.latestJoin();
  return join !== null && join.uptimeMs + (now - join.at) > mesh.reregisterBoundMs;
}

/** How often a running tab tells its engine who it sees running (peersSeenRunning). */
export const PRESENCE_REPORT_MS = 1000;

/**
 * Every peer this tab sees running (the room, its links, this browser's tabs), or null while the
 * room's list may be missing live peers (see roomListComplete): what RaftEngine.peersPresent takes.
 */
export function peersSeenRunning(mesh: MeshPort, linked: Iterable<PeerId>, now: number): PeerId[] | null {
  if (!roomListComplete(mesh, now)) return null;
  return [...new Set([...mesh.roomPeers(), ...linked])];
}

/** How long a room peer may stay unheard (no link yet, or no gossip) before it counts as a member. */
export const UNHEARD_GRACE_MS = 10_000;

/**
 * Polls until the room gives an answer other than 'unknown' (or `cancelled` says stop). With
 * `views`, a peer that stays unheard for UNHEARD_GRACE_MS (it never links, or never gossips) counts
 * as occupying the room, as every peer did before views were considered.
 */
export async function settledRoomEvidence(
  mesh: MeshPort,
  connected: () => readonly PeerId[],
  cancelled: () => boolean,
  local: ReadonlySet<PeerId> = new Set(),
  pollMs = 100,
  views?: (id: PeerId) => PeerView | undefined,
): Promise<RoomEvidence> {
  await mesh.joined;
  const unheardSince = new Map<PeerId, number>();
  const member: PeerView = { role: 'follower', term: 0, committed: 0, applied: 0, online: false, catchUp: null };
  const viewsWithGrace =
    views &&
    ((id: PeerId) => {
      const view = views(id);
      if (view !== undefined) return view;
      const since = unheardSince.get(id) ?? Date.now();
      unheardSince.set(id, since);
      return Date.now() - since > UNHEARD_GRACE_MS ? member : undefined;
    });
  for (;;) {
    const evidence = roomEvidence(mesh, connected(), Date.now(), local, viewsWithGrace);
    if (evidence !== 'unknown' || cancelled()) return evidence;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
