// Messages between the main thread and the engine Worker (besides the HostPort protocol of
// @meshraft/core, which runs on its own MessageChannel handed over in `init`). Frames travel as
// transferable ArrayBuffers and are never decoded on the main thread.
import type { LeadershipPreference, Membership, PeerId, RaftConfig } from '@meshraft/core';
import type { Channel } from '../runtime/channel';
import type { FrameStats } from '../runtime/frame-stats';

export interface WorkerInit {
  type: 'init';
  peerId: PeerId;
  storage: 'indexeddb' | 'memory';
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
  bootstrap: Membership | null;
  /** Peers already connected when the worker starts (peer-up events seen before init). */
  peers: PeerId[];
  /** The engine end of the HostPort channel (GroupClient holds the other end). */
  hostPort: MessagePort;
}

/** One encoded frame for `to`; `bytes` is transferred. */
export interface OutgoingFrame {
  to: PeerId;
  channel: Channel;
  bytes: ArrayBuffer;
}

export type MainToWorker =
  | WorkerInit
  | { type: 'frame'; from: PeerId; bytes: ArrayBuffer }
  | { type: 'peer-up'; id: PeerId }
  | { type: 'peer-down'; id: PeerId }
  | { type: 'stats'; requestId: number }
  /** Start over as `peerId`: delete the removed identity's database, run a fresh engine. */
  | { type: 'reset'; peerId: PeerId }
  | { type: 'close' };

export type WorkerToMain =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  /** Frames to put on the wire, in order (one engine step's worth: see worker.ts). */
  | { type: 'send'; frames: OutgoingFrame[] }
  | { type: 'stats'; requestId: number; stats: FrameStats | null }
  /** The engine says this peer was removed from the group (it can never rejoin with this id). */
  | { type: 'removed' }
  | { type: 'reset-done'; error: string | null }
  | { type: 'closed' };
