// Messages between the main thread and the engine Worker (besides the HostPort protocol of
// @meshraft/core, which runs on its own MessageChannel handed over in `init`). Frames travel as
// transferable ArrayBuffers and are never decoded on the main thread.
import type { Departure, LeadershipPreference, LogTail, Membership, PeerId, RaftConfig } from '@meshraft/core';
import type { StorageDurability } from '@meshraft/idb';
import type { RelayedPlan } from '../runtime/departure-frames';
import type { Channel } from '../runtime/channel';
import type { FrameStats } from '../runtime/frame-stats';

export interface WorkerInit {
  type: 'init';
  peerId: PeerId;
  storage: 'indexeddb' | 'memory';
  /** IndexedDB's durability hint for every write (CreateGroupOptions.durability). */
  durability: StorageDurability;
  /** The slot's IndexedDB database (undefined: one per peer id). */
  dbName?: string;
  /** Re-found the group on the stored log (see RaftNodeOptions.refound). */
  refound: boolean;
  /** Entries of another slot of the profile that continue the stored log (RaftNodeOptions.logTail). */
  logTail?: LogTail;
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
  bootstrap: Membership | null;
  /** Peers already connected when the worker starts (peer-up events seen before init). */
  peers: PeerId[];
  /** The engine end of the HostPort channel (GroupClient holds the other end). */
  hostPort: MessagePort;
  /** The group's same-browser channel name: listen there (local-inbox.ts; null: off). */
  localSecret: string | null;
}

/** One encoded frame for `to`; `bytes` is transferred. */
export interface OutgoingFrame {
  to: PeerId;
  channel: Channel;
  bytes: ArrayBuffer;
}

/**
 * Sent once the slot is claimed, before `init`: open the storage `init` will name while the main
 * thread decides how to start (opening reads nothing, so a later hand-over of the slot still shows).
 */
export interface WorkerPrepare {
  type: 'prepare';
  peerId: PeerId;
  storage: 'indexeddb' | 'memory';
  durability: StorageDurability;
  dbName?: string;
}

export type MainToWorker =
  | WorkerInit
  | WorkerPrepare
  | { type: 'frame'; from: PeerId; bytes: ArrayBuffer }
  | { type: 'peer-up'; id: PeerId }
  | { type: 'peer-down'; id: PeerId }
  | { type: 'peer-gone'; id: PeerId }
  | { type: 'peers-present'; present: PeerId[] }
  | { type: 'stats'; requestId: number }
  /**
   * Start over as `peerId` (a slot is handed over with its log; a per-peer-id database is
   * replaced); `dbName`: on another slot from now on.
   */
  | { type: 'reset'; peerId: PeerId; refound: boolean; dbName?: string }
  /** The page is going away and the main thread sent the departure plan: stop for good. */
  | { type: 'depart' }
  | { type: 'close' };

export type WorkerToMain =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  /**
   * Frames to put on the wire, in order (one engine step's worth: see worker.ts), and the engine's
   * latest departure plan when it changed: taken before the frames are sent (it covers every frame
   * the engine produced before it, these included).
   */
  | { type: 'send'; frames: OutgoingFrame[]; plan?: RelayedPlan }
  /** Other peers' departure notices the engine saw first (tombstones to keep). */
  | { type: 'departures'; notices: Departure[] }
  | { type: 'stats'; requestId: number; stats: FrameStats | null }
  /** The engine says this peer was removed from the group (it can never rejoin with this id). */
  | { type: 'removed' }
  | { type: 'reset-done'; error: string | null }
  | { type: 'closed' };
