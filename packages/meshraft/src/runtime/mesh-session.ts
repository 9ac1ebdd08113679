// One peer identity's connection to the mesh: the MeshPort opened under that peer id, the set of
// peers it is connected to, and the routing of its events. Every connection is handed to the engine
// (peerUp/peerDown), members or not: catch-up asks every connected peer, and a joining peer asks
// whoever it sees for the leader. Status gossip frames go to the gossip, Raft frames to the engine.
// A session that was replaced (the peer re-joined under a new id) ignores its late events.
// The engine's Raft frames leave through send(): over the same-browser channel to a peer reachable
// there (local-route.ts), else over the data channel. Gossip and departure frames use the mesh directly.
import type { PeerId } from '@meshraft/core';
import type { LockManagerLike } from '../identity';
import type { Channel } from './channel';
import type { OpenBroadcastChannel } from './local-channel';
import { LocalRoute } from './local-route';
import type { MeshPort } from './mesh-port';
import type { RouteCounters } from './route-stats';
import { isGossipFrame } from './status-gossip';

export interface MeshSessionTargets {
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
  /** A peer of this browser stopped running (its liveness lock was released; peer-liveness.ts). */
  peerGone(id: PeerId): void;
  /** Whether `id` departed for good (this profile holds its tombstone): its link is not dialled again. */
  departed?(id: PeerId): boolean;
  raftFrame(from: PeerId, bytes: Uint8Array): void;
  gossipFrame(from: PeerId, bytes: Uint8Array): void;
}

export interface MeshSessionRoutes {
  counters: RouteCounters;
  /** The same-browser channel (its secret name, how to open a BroadcastChannel, Web Locks if any); null: off. */
  local: { secret: string; open: OpenBroadcastChannel; locks?: LockManagerLike } | null;
}

export class MeshSession {
  readonly connected = new Set<PeerId>();
  readonly local: LocalRoute | null;
  private readonly counters: RouteCounters;
  private active = true;

  constructor(
    readonly peerId: PeerId,
    readonly mesh: MeshPort,
    routes: MeshSessionRoutes,
    targets: MeshSessionTargets,
  ) {
    this.counters = routes.counters;
    const linked = (id: PeerId) => this.active && this.connected.has(id);
    const gone = (id: PeerId) => {
      if (!this.active) return;
      this.counters.gone();
      targets.peerGone(id);
      // A departed identity never comes back: dialling it again would only build a connection
      // nobody answers, on this thread, while the group elects its successor.
      if (targets.departed?.(id)) this.forget(id);
      // Its link would otherwise look up until heartbeats fail (seconds), and keep a tab that takes
      // over the identity (a crashed tab's slot adopted) from connecting meanwhile.
      mesh.dropPeer?.(id);
    };
    this.local = routes.local ? new LocalRoute({ self: peerId, ...routes.local, linked, gone }) : null;
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

  /** A Raft frame of the engine's: the same-browser channel when the peer is reachable there, else the data channel. */
  send(to: PeerId, bytes: Uint8Array, channel: Channel): void {
    if (!this.active) return;
    if (this.local?.send(to, bytes)) {
      this.counters.sent('localChannel', to, bytes.byteLength);
      return;
    }
    this.counters.sent('dataChannel', to, bytes.byteLength);
    this.mesh.send(to, bytes, channel);
  }

  /** `id` departed for good: the mesh stops dialling it (its link, if up, closes by itself). */
  forget(id: PeerId): void {
    if (this.active) this.mesh.forgetPeer?.(id);
  }

  /** Stop routing events; the mesh stays in the signaling room until close(). */
  deactivate(): void {
    this.active = false;
    this.local?.close();
    this.connected.clear();
  }

  /** Stop routing events and close the mesh. */
  async close(): Promise<void> {
    this.deactivate();
    await this.mesh.close();
  }
}
