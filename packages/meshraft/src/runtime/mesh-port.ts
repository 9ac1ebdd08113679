// The slice of @meshraft/webrtc's PeerMesh the runtime uses, as a small interface so the launch
// sequence can be tested with an in-memory mesh and the adapter stays in one place (mesh-adapter.ts).
import type { PeerId } from '@meshraft/core';
import type { Channel } from './channel';

export type MeshStatsLike = Record<string, unknown>;

export interface JoinInfo {
  peers: PeerId[];
  /** How long the server's presence directory had been up when it answered. */
  uptimeMs: number;
  /** Local time (Date.now()) of the answer. */
  at: number;
}

export interface MeshPort {
  /** Resolves with the first answer to joining the signaling room; rejects if the mesh fails for good or closes first. */
  readonly joined: Promise<JoinInfo>;
  /** The latest join answer (the mesh re-joins after a signaling reconnect), or null before the first. */
  latestJoin(): JoinInfo | null;
  /** Peers the signaling server lists in the room now. */
  roomPeers(): PeerId[];
  /** Within this long of a signaling server's return, every live peer has re-joined its room. */
  readonly reregisterBoundMs: number;
  /** Frames from authenticated peers only (the mesh runs the HMAC handshake first). */
  onMessage(handler: (from: PeerId, bytes: Uint8Array) => void): void;
  onPeerUp(handler: (id: PeerId) => void): void;
  onPeerDown(handler: (id: PeerId) => void): void;
  send(to: PeerId, bytes: Uint8Array, channel: Channel): void;
  /** `id`'s process stopped (its Web Lock was released): close its link now (PeerMesh.dropPeer). */
  dropPeer?(id: PeerId): void;
  /** `id` departed for good: never dial it again (PeerMesh.forgetPeer). */
  forgetPeer?(id: PeerId): void;
  stats(): MeshStatsLike;
  close(): void | Promise<void>;
}
