// What the signaling room says about the group, as evidence that survives a server restart: a
// room the server lists as empty counts as empty only once the server's presence directory has
// been up longer than live peers need to re-register (the mesh's reregisterBoundMs). Until then
// (or while the server is away) the answer is 'unknown' and the caller waits.
import type { PeerId, RoomEvidence } from '@meshraft/core';
import type { MeshPort } from './mesh-port';

export function roomEvidence(mesh: MeshPort, connected: readonly PeerId[], now: number, local: ReadonlySet<PeerId> = new Set()): RoomEvidence {
  // This profile's own running tabs do not count: the start-up rules judge them from their slots.
  const others = (ids: readonly PeerId[]) => ids.some((id) => !local.has(id));
  if (others(connected) || others(mesh.roomPeers())) return 'occupied';
  const join = mesh.latestJoin();
  if (join === null) return 'unknown';
  return join.uptimeMs + (now - join.at) > mesh.reregisterBoundMs ? 'empty' : 'unknown';
}

/** Polls until the room gives an answer other than 'unknown' (or `cancelled` says stop). */
export async function settledRoomEvidence(
  mesh: MeshPort,
  connected: () => readonly PeerId[],
  cancelled: () => boolean,
  local: ReadonlySet<PeerId> = new Set(),
  pollMs = 100,
): Promise<RoomEvidence> {
  await mesh.joined;
  for (;;) {
    const evidence = roomEvidence(mesh, connected(), Date.now(), local);
    if (evidence !== 'unknown' || cancelled()) return evidence;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
