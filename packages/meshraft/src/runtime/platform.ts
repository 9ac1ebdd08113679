// What launchGroup (launch.ts) works with and returns: the platform's pieces (identity, mesh, where
// the engine runs, EngineSide) and the group it hands to the app, with its runtime introspection.
import type { Departure, Group, GroupClientStats, LogTail, Membership, PeerId } from '@meshraft/core';
import type { LockManagerLike } from '../identity';
import type { Channel } from './channel';
import type { Claim } from './claim';
import type { RelayedPlan } from './departure-frames';
import type { FrameStats } from './frame-stats';
import type { FrozenCheckStats } from './frozen-restart';
import type { OpenBroadcastChannel } from './local-channel';
import type { MeshPort, MeshStatsLike } from './mesh-port';
import type { RaftRouteStats } from './route-stats';

/** The engine side as seen from the thread that holds the mesh. */
export interface EngineSide {
  inbound(from: PeerId, bytes: Uint8Array): void;
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
  /** `id`'s tab stopped, not just its link (RaftEngine.peerGone). */
  peerGone(id: PeerId): void;
  /** Every peer this tab sees running, when that list is complete (RaftEngine.peersPresent). */
  peersPresent(present: readonly PeerId[]): void;
  frameStats(): Promise<FrameStats>;
  close(): Promise<void>;
  /** `handler` runs once the engine reports this peer removed (at once if it already did). */
  onRemoved(handler: () => void): void;
  /** The engine's latest departure plan, kept on this thread (null before its first Ready). */
  departurePlan(): RelayedPlan | null;
  /** `handler` receives other peers' departure notices the engine saw first (to keep as tombstones). */
  onDepartures(handler: (notices: Departure[]) => void): void;
  /** The page is going away: the engine stops for good (best effort; its frames are cut already). */
  depart(): void;
  /**
   * Run a fresh engine as `peerId` (no bootstrap) for the same client, on the same storage when it
   * can be handed over (a browser slot: the log is a warm start) or on fresh storage; `refound`: it
   * re-founds the group on that log (RaftNodeOptions.refound); `dbName`: the slot it runs on from
   * now on, when it moves to another one (a frozen tab taking a more up-to-date departed slot
   * over). Absent when the storage cannot be re-created (a custom Storage object).
   */
  reset?(peerId: PeerId, refound?: boolean, dbName?: string): Promise<void>;
}

export interface StartEngineArgs {
  peerId: PeerId;
  /** The slot's IndexedDB database (browsers); undefined: the default for `peerId`. */
  dbName?: string;
  bootstrap: Membership | undefined;
  /** Re-found the group on the stored log (see RaftNodeOptions.refound). */
  refound: boolean;
  /** Entries of another slot of this profile that continue the chosen slot's log (Claim.logTail). */
  logTail?: LogTail;
  peers: PeerId[];
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
  /**
   * The group's same-browser channel name, when the engine should listen there
   * (local-channel.ts); null: off (an in-process engine ignores it).
   */
  localSecret: string | null;
}

export interface Platform<Cmd, Q, QR, R = unknown> {
  /**
   * The room id and auth key of the group key (deriveRoomAndAuthKey). `source` 'shared': another
   * tab of this browser profile ran the derivation (browser/derivation-share.ts); `release` ends
   * this tab's part in that sharing when the group closes.
   */
  deriveRoom(key: Uint8Array): Promise<{ room: string; authKey: Uint8Array; source?: 'derived' | 'shared'; release?(): void }>;
  /** Who this peer is and where its log lives (claim.ts); browsers decide under a Web Lock. */
  claim(room: string): Promise<Claim>;
  /**
   * The slot is claimed: the engine side may get ready (open the storage startEngine will name)
   * while the runtime joins the room and decides how to start. Optional; nothing is read yet.
   */
  prepareEngine?(args: { peerId: PeerId; dbName?: string }): void;
  openMesh(args: { room: string; peerId: PeerId; authKey: Uint8Array }): MeshPort;
  startEngine(args: StartEngineArgs): Promise<{ engine: EngineSide; group: ClientSide<Cmd, Q, QR, R> }>;
  /** The same-browser channel (local-channel.ts), where the engine listens on it; absent: data channels only. */
  localChannel?: {
    /** The group's secret channel name (deriveLocalChannelName). */
    secret(authKey: Uint8Array, room: string): Promise<string>;
    open: OpenBroadcastChannel;
    /** Web Locks: peers of this browser learn at once when this tab stops (peer-liveness.ts). */
    locks?: LockManagerLike;
  };
}

/** The main thread's side of a started engine: the Group API and its counters (core's GroupClient). */
export type ClientSide<Cmd, Q, QR, R> = Group<Cmd, Q, QR, R> & { readonly stats: GroupClientStats };

export interface GroupStats {
  peerId: PeerId;
  room: string | null;
  /** Whether this peer bootstrapped a new group (decided at start). */
  bootstrapped: boolean;
  /** Whether this peer re-founded its group from local data (every voter had departed). */
  refounded: boolean;
  /** How the start used this profile's slots: 'adopt' (a crashed tab's identity), 'succeed' (a departed tab's log), 'new'. */
  slotChoice: string | null;
  roomWasEmpty: boolean | null;
  /**
   * How this tab came by the room id and auth key: 'derived' (its own run of the group key's slow
   * derivation finished first), 'shared' (another tab of this browser profile gave it the result
   * before that; under load a tab may have started a run of its own meanwhile); null before.
   */
  keyDerivation: 'derived' | 'shared' | null;
  /** Times this runtime started over under a fresh peer id (removed from the group, or back after departing). */
  rejoins: number;
  /** Peer ids this runtime gave up (oldest first). */
  retiredPeerIds: PeerId[];
  /** Why starting over failed, if it did. */
  rejoinErrors: string[];
  /** Databases of this group that this tab deleted because nobody could use them any more. */
  databasesDeleted: number;
  /** Times this tab, frozen (every voter departed, named by no successor list), re-founded the group on its own slot. */
  frozenRestarts: number;
  /** While this tab is (or was) frozen: how many times it asked whether it may re-found, and what the last check found. */
  frozenChecks: FrozenCheckStats;
  /** This identity departed (the page is going away). */
  departed: boolean;
  frames: FrameStats | null;
  /**
   * The main thread's side (applied commands, restores and restore failures, snapshots taken,
   * proposals sent and re-sent); null before the engine started.
   */
  client: GroupClientStats | null;
  /** Raft frames sent over the data channel and over the same-browser channel, by receiver. */
  routes: RaftRouteStats;
  /** Status gossip frames dropped as malformed (a peer's view of itself that did not check out). */
  gossipDropped: number;
  mesh: MeshStatsLike | null;
  startupError: string | null;
}

/** What createGroup() returns: the Group API (R: the state machine's apply result) plus runtime introspection. */
export interface MeshraftGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown> extends Group<Cmd, Q, QR, R> {
  /** Resolves once the engine runs and the room is joined; rejects with the startup error. */
  readonly started: Promise<void>;
  /** Frame counters (accepted per sender, dropped by reason, sent per channel) and mesh stats. */
  stats(): Promise<GroupStats>;
  /**
   * The page is going away (browsers call this on `pagehide`): the identity departs for good. It is
   * tombstoned, its frames are cut, and the engine's departure plan goes out (TimeoutNow to the
   * best voter when it leads, then the Departure notice to every connected peer), synchronously.
   * A fixed identity (the `peerId` option) does not depart: a leader only hands leadership over,
   * and the engine's frames stay cut until the page is shown again (`pageShow`).
   */
  pageHide(): void;
  /** The page is shown again (`pageshow`); back from the back-forward cache, it starts over as a new identity. */
  pageShow(persisted: boolean): void;
}
