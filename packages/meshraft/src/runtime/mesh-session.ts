// One peer identity's connection to the mesh: the MeshPort opened under that peer id, the set of
// peers it is connected to, and the routing of its events. Every connection is handed to the engine
// (peerUp/peerDown), members or not: catch-up asks every connected peer, and a joining peer asks
// whoever it sees for the leader. Status gossip frames go to the gossip, Raft frames to the engine.
// A session that was replaced (the peer re-joined under a new id) ignores its late events.
import type { PeerId } from '@meshraft/core';
import type { MeshPort } from './mesh-port';
import { isGossipFrame } from './status-gossip';

export interface MeshSessionTargets {
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
  raftFrame(from: PeerId, bytes: Uint8Array): void;
  gossipFrame(from: PeerId, bytes: Uint8Array): void;
}

export class MeshSession {
  readonly connected = new Set<PeerId>();
  private active = true;

  constructor(
    readonly peerId: PeerId,
    readonly mesh: MeshPort,
    targets: MeshSessionTargets,
  ) {
    mesh.onPeerUp((id) => {
      if (!this.active) return;
      this.connected.add(id);
      targets.peerUp(id);
    });
    mesh.onPeerDown((id) => {
      if (!this.active) return;
      this.connected.delete(id);
      targets.peerDown(id);
    });
    // Frames before the engine runs are dropped by the targets: Raft tolerates loss (§5.3 retries).
    // Status gossip is display-only and never reaches the engine.
    mesh.onMessage((from, bytes) => {
      if (!this.active) return;
      if (isGossipFrame(bytes)) targets.gossipFrame(from, bytes);
      else targets.raftFrame(from, bytes);
    });
  }

  /** Stop routing events and close the mesh. */
  async close(): Promise<void> {
    this.active = false;
    this.connected.clear();
    await this.mesh.close();
  }
}
