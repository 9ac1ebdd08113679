// What the transport last said about each peer: links reported up, and those reported down since.
// Raft itself never needs this (a message to an unreachable peer is simply lost); the engine uses it
// to stop pipelining to a peer it cannot reach and to know whom a new tab can ask about the group.
import type { PeerId } from '../types';

export class PeerConnectivity {
  private readonly down = new Set<PeerId>();
  /** Every peer the transport ever reported up. */
  private readonly known = new Set<PeerId>();

  reportUp(id: PeerId): void {
    this.down.delete(id);
    this.known.add(id);
  }

  reportDown(id: PeerId): void {
    this.down.add(id);
  }

  /** As last reported (a peer never reported on counts as up). */
  isUp(id: PeerId): boolean {
    return !this.down.has(id);
  }

  /** Peers reported up and not down since, other than `self`, sorted. */
  reported(self: PeerId): PeerId[] {
    return [...this.known].filter((p) => p !== self && !this.down.has(p)).sort();
  }

  /** `candidates` (members, the leader) and every reported peer, minus `self` and peers reported down, sorted. */
  reachable(self: PeerId, candidates: Iterable<PeerId>): PeerId[] {
    const all = new Set<PeerId>(candidates);
    for (const peer of this.known) all.add(peer);
    return [...all].filter((p) => p !== self && !this.down.has(p)).sort();
  }
}
