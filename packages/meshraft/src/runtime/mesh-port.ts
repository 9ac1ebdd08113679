// The slice of @meshraft/webrtc's PeerMesh the runtime uses, as a small interface so the launch
// sequence can be tested with an in-memory mesh and the adapter stays in one place (mesh-adapter.ts).
import type { PeerId } from '@meshraft/core';
import type { Channel } from './channel';

export type MeshStatsLike = Record<string, unknown>;

export interface MeshPort {
  /** Resolves with the peers present when this peer joined the signaling room (empty: bootstrap). */
  readonly joined: Promise<{ peers: PeerId[] }>;
  /** Frames from authenticated peers only (the mesh runs the HMAC handshake first). */
  onMessage(handler: (from: PeerId, bytes: Uint8Array) => void): void;
  onPeerUp(handler: (id: PeerId) => void): void;
  onPeerDown(handler: (id: PeerId) => void): void;
  send(to: PeerId, bytes: Uint8Array, channel: Channel): void;
  stats(): MeshStatsLike;
  close(): void | Promise<void>;
}
