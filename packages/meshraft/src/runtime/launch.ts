// Starting a group, step by step, the same way in browsers and Node; the platform supplies the
// pieces that differ (identity, mesh, where the engine runs). Order matters:
//   1. room id + auth key from the group key (the key itself never leaves this peer);
//   2. peer id (per-tab identity in browsers) — needed to join the signaling room;
//   3. join the room: the join answer says whether the room was empty (bootstrap decision);
//   4. start the engine side (Worker or in-process) with the connected peers, then relay frames.
import type { Group, Membership, PeerId } from '@meshraft/core';
import { decideBootstrap } from './bootstrap';
import type { Channel } from './channel';
import { DeferredGroup } from './deferred-group';
import type { FrameStats } from './frame-stats';
import type { MeshPort, MeshStatsLike } from './mesh-port';
import type { ResolvedOptions } from '../options';
import { isGossipFrame, StatusGossip } from './status-gossip';

/** The engine side as seen from the thread that holds the mesh. */
export interface EngineSide {
  inbound(from: PeerId, bytes: Uint8Array): void;
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
  frameStats(): Promise<FrameStats>;
  close(): Promise<void>;
}

export interface StartEngineArgs {
  peerId: PeerId;
  bootstrap: Membership | undefined;
  peers: PeerId[];
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
}

export interface Platform<Cmd, Q, QR> {
  deriveRoom(key: Uint8Array): Promise<{ room: string; authKey: Uint8Array }>;
  /** The peer id and a release function (the Web Lock in browsers). */
  identity(room: string): Promise<{ peerId: PeerId; release(): void }>;
  openMesh(args: { room: string; peerId: PeerId; authKey: Uint8Array }): MeshPort;
  startEngine(args: StartEngineArgs): Promise<{ engine: EngineSide; group: Group<Cmd, Q, QR> }>;
}

export interface GroupStats {
  peerId: PeerId;
  room: string | null;
  /** Whether this peer bootstrapped a configuration (decided at start). */
  bootstrapped: boolean;
  roomWasEmpty: boolean | null;
  frames: FrameStats | null;
  mesh: MeshStatsLike | null;
  startupError: string | null;
}

/** What createGroup() returns: the Group API of DESIGN §4 plus runtime introspection. */
export interface MeshraftGroup<Cmd = unknown, Q = unknown, QR = unknown> extends Group<Cmd, Q, QR> {
  /** Resolves once the engine runs and the room is joined; rejects with the startup error. */
  readonly started: Promise<void>;
  /** Frame counters (accepted per sender, dropped by reason, sent per channel) and mesh stats. */
  stats(): Promise<GroupStats>;
}

export function launchGroup<Cmd, Q, QR>(options: ResolvedOptions<Cmd, Q, QR>, platform: Platform<Cmd, Q, QR>): MeshraftGroup<Cmd, Q, QR> {
  const cleanups: Array<() => void | Promise<void>> = [];
  let closing = false;
  let engine: EngineSide | null = null;
  let mesh: MeshPort | null = null;
  const info = { room: null as string | null, bootstrapped: false, roomWasEmpty: null as boolean | null };

  const shutdown = async () => {
    closing = true;
    // Reverse order: stop the engine before the mesh it sends through, release the identity last.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Teardown continues: one failing resource must not keep the lock or the worker alive.
      }
    }
  };
  const deferred = new DeferredGroup<Cmd, Q, QR>(options.peerId ?? '', shutdown);

  const abortIfClosing = () => {
    if (closing) throw new Error('closed during startup');
  };

  const start = async () => {
    const { room: derivedRoom, authKey } = await platform.deriveRoom(options.keyBytes);
    const room = options.testing.room ?? derivedRoom;
    info.room = room;
    abortIfClosing();
    const identity = options.peerId ? { peerId: options.peerId, release: () => {} } : await platform.identity(room);
    cleanups.push(() => identity.release());
    abortIfClosing();
    deferred.setPeerId(identity.peerId);

    mesh = platform.openMesh({ room, peerId: identity.peerId, authKey });
    const openedMesh = mesh;
    cleanups.push(() => openedMesh.close());
    // Track connectivity from the start: peers that connect before the engine runs are handed to it.
    const connected = new Set<PeerId>();
    const gossip = new StatusGossip({
      status: () => deferred.status,
      broadcast: (frame) => {
        for (const id of connected) openedMesh.send(id, frame, 'control');
      },
      onViews: (views) => deferred.setPeerViews(views),
    });
    cleanups.push(() => gossip.stop());
    const unsubscribeGossip = deferred.subscribe(() => gossip.statusChanged());
    cleanups.push(unsubscribeGossip);
    openedMesh.onPeerUp((id) => {
      connected.add(id);
      engine?.peerUp(id);
      gossip.peerUp();
    });
    openedMesh.onPeerDown((id) => {
      connected.delete(id);
      engine?.peerDown(id);
      gossip.peerDown(id);
    });
    // Frames before the engine runs are dropped: Raft tolerates message loss (§5.3 retries).
    // Status gossip is display-only and never reaches the engine.
    openedMesh.onMessage((from, bytes) => (isGossipFrame(bytes) ? gossip.receive(from, bytes) : engine?.inbound(from, bytes)));
    const { peers } = await openedMesh.joined;
    abortIfClosing();
    info.roomWasEmpty = peers.length === 0;
    const bootstrap = decideBootstrap(options.bootstrap, peers.length === 0, identity.peerId, options.preference);
    info.bootstrapped = bootstrap !== undefined;

    const initialPeers = [...connected];
    const started = await platform.startEngine({
      peerId: identity.peerId,
      bootstrap,
      peers: initialPeers,
      transmit: (to, bytes, channel) => openedMesh.send(to, bytes, channel),
    });
    cleanups.push(() => started.engine.close());
    abortIfClosing();
    engine = started.engine;
    // Connectivity changed while the engine was starting: catch it up.
    for (const id of connected) if (!initialPeers.includes(id)) engine.peerUp(id);
    for (const id of initialPeers) if (!connected.has(id)) engine.peerDown(id);
    deferred.attach(started.group);
  };

  const started = start().catch((error: Error) => {
    deferred.fail(error);
    void shutdown();
    throw error;
  });
  started.catch(() => {}); // observed through `started`, status and operations

  return Object.assign(deferred, {
    started,
    async stats(): Promise<GroupStats> {
      return {
        peerId: deferred.peerId,
        room: info.room,
        bootstrapped: info.bootstrapped,
        roomWasEmpty: info.roomWasEmpty,
        frames: engine ? await engine.frameStats() : null,
        mesh: mesh ? mesh.stats() : null,
        startupError: deferred.startupError ? deferred.startupError.message : null,
      };
    },
  });
}
