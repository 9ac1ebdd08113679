// Starting a group, step by step, the same way in browsers and Node; the platform supplies the
// pieces that differ (identity, mesh, where the engine runs). Order matters:
//   1. room id + auth key from the group key (the key itself never leaves this peer);
//   2. peer id (per-tab identity in browsers) — needed to join the signaling room;
//   3. join the room: the join answer says whether the room was empty (bootstrap decision);
//   4. start the engine side (Worker or in-process) with the connected peers, then relay frames.
// Afterwards, if the engine reports this peer removed from the group (at start, from its restored
// log, or later), the runtime drops that identity and re-joins under a fresh one (see rejoin()).
import type { Group, GroupStatus, Membership, PeerId } from '@meshraft/core';
import { decideBootstrap } from './bootstrap';
import type { Channel } from './channel';
import { DeferredGroup } from './deferred-group';
import type { FrameStats } from './frame-stats';
import { pageHideFrames } from './handoff';
import type { MeshPort, MeshStatsLike } from './mesh-port';
import { MeshSession } from './mesh-session';
import type { ResolvedOptions } from '../options';
import { StatusGossip } from './status-gossip';

/** The engine side as seen from the thread that holds the mesh. */
export interface EngineSide {
  inbound(from: PeerId, bytes: Uint8Array): void;
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
  frameStats(): Promise<FrameStats>;
  close(): Promise<void>;
  /** `handler` runs once the engine reports this peer removed (at once if it already did). */
  onRemoved(handler: () => void): void;
  /**
   * Delete this identity's storage and run a fresh engine as `peerId` (no bootstrap) for the same
   * client. Absent when the storage cannot be re-created (a custom Storage object).
   */
  reset?(peerId: PeerId): Promise<void>;
}

export interface StartEngineArgs {
  peerId: PeerId;
  bootstrap: Membership | undefined;
  peers: PeerId[];
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
}

export interface Platform<Cmd, Q, QR, R = unknown> {
  deriveRoom(key: Uint8Array): Promise<{ room: string; authKey: Uint8Array }>;
  /** The peer id and a release function (the Web Lock in browsers). */
  identity(room: string): Promise<{ peerId: PeerId; release(): void }>;
  /** Forget a removed peer id so the next identity() call mints a new one (browsers: sessionStorage). */
  forgetIdentity?(room: string, peerId: PeerId): void;
  openMesh(args: { room: string; peerId: PeerId; authKey: Uint8Array }): MeshPort;
  startEngine(args: StartEngineArgs): Promise<{ engine: EngineSide; group: Group<Cmd, Q, QR, R> }>;
}

export interface GroupStats {
  peerId: PeerId;
  room: string | null;
  /** Whether this peer bootstrapped a configuration (decided at start). */
  bootstrapped: boolean;
  roomWasEmpty: boolean | null;
  /** Times this runtime dropped a removed identity and re-joined under a fresh peer id. */
  rejoins: number;
  /** Peer ids this runtime gave up because the group removed them (oldest first). */
  retiredPeerIds: PeerId[];
  frames: FrameStats | null;
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
   * The page is going away (browsers call this on `pagehide`): hand leadership over at once and,
   * with `leaveOnPageHide`, ask to be removed. Synchronous and best effort; see handoff.ts.
   */
  pageHide(): void;
}

export function launchGroup<Cmd, Q, QR, R = unknown>(options: ResolvedOptions<Cmd, Q, QR, R>, platform: Platform<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const cleanups: Array<() => void | Promise<void>> = [];
  let closing = false;
  let engine: EngineSide | null = null;
  let session: MeshSession | null = null;
  let identity: { peerId: PeerId; release(): void } | null = null;
  let rejoining: Promise<void> | null = null;
  const info = { room: null as string | null, authKey: null as Uint8Array | null, bootstrapped: false, roomWasEmpty: null as boolean | null, rejoins: 0, retired: [] as PeerId[] };

  const shutdown = async () => {
    closing = true;
    await rejoining?.catch(() => {});
    // Reverse order: stop the engine before the mesh it sends through, release the identity last.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Teardown continues: one failing resource must not keep the lock or the worker alive.
      }
    }
  };
  const deferred = new DeferredGroup<Cmd, Q, QR, R>(options.peerId ?? '', shutdown);

  const abortIfClosing = () => {
    if (closing) throw new Error('closed during startup');
  };

  const gossip = new StatusGossip({
    status: () => deferred.status,
    broadcast: (frame) => {
      const s = session;
      if (s) for (const id of s.connected) s.mesh.send(id, frame, 'control');
    },
    onViews: (views) => deferred.setPeerViews(views),
  });
  cleanups.push(() => gossip.stop());
  cleanups.push(deferred.subscribe(() => gossip.statusChanged()));

  const openSession = (peerId: PeerId): MeshSession => {
    const mesh = platform.openMesh({ room: info.room!, peerId, authKey: info.authKey! });
    return new MeshSession(peerId, mesh, {
      peerUp: (id) => {
        engine?.peerUp(id);
        gossip.peerUp();
      },
      peerDown: (id) => {
        engine?.peerDown(id);
        gossip.peerDown(id);
      },
      raftFrame: (from, bytes) => engine?.inbound(from, bytes),
      gossipFrame: (from, bytes) => gossip.receive(from, bytes),
    });
  };

  /**
   * This peer was removed from the group, so the engine will never let it take part again under
   * this id. When the runtime owns the identity and can re-create storage, it deletes
   * the old identity's log, mints a new id and starts over as a new peer: it joins as a learner and
   * catches up. The user's state machine and the GroupClient stay: everything already applied is
   * the same committed prefix on every peer, so the client skips it while the new log fills up.
   */
  const rejoin = async () => {
    const side = engine;
    if (closing || !side?.reset || !platform.forgetIdentity || options.peerId !== undefined || !identity) return;
    const old = identity;
    platform.forgetIdentity(info.room!, old.peerId);
    const fresh = await platform.identity(info.room!);
    if (closing) return fresh.release();
    info.retired.push(old.peerId);
    await session?.close();
    session = null;
    await side.reset(fresh.peerId);
    old.release();
    identity = fresh;
    deferred.setPeerId(fresh.peerId);
    // A re-joining peer never bootstraps, whatever the room looks like: the join answer is not needed.
    session = openSession(fresh.peerId);
    info.rejoins++;
  };
  const onRemoved = () => {
    if (rejoining) return;
    rejoining = rejoin()
      .catch((error: unknown) => {
        // Stay removed (operations fail with OfflineError); nothing else can be done here.
        info.retired.push(`rejoin failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        rejoining = null;
      });
  };

  const start = async () => {
    const { room: derivedRoom, authKey } = await platform.deriveRoom(options.keyBytes);
    info.room = options.testing.room ?? derivedRoom;
    info.authKey = authKey;
    abortIfClosing();
    identity = options.peerId ? { peerId: options.peerId, release: () => {} } : await platform.identity(info.room);
    cleanups.push(() => identity?.release());
    abortIfClosing();
    deferred.setPeerId(identity.peerId);

    // Track connectivity from the start: peers that connect before the engine runs are handed to it.
    const first = openSession(identity.peerId);
    session = first;
    cleanups.push(() => session?.close());
    const { peers } = await first.mesh.joined;
    abortIfClosing();
    info.roomWasEmpty = peers.length === 0;
    const bootstrap = decideBootstrap(options.bootstrap, peers.length === 0, identity.peerId, options.preference);
    info.bootstrapped = bootstrap !== undefined;

    const initialPeers = [...first.connected];
    const started = await platform.startEngine({
      peerId: identity.peerId,
      bootstrap,
      peers: initialPeers,
      transmit: (to, bytes, channel) => session?.mesh.send(to, bytes, channel),
    });
    cleanups.push(() => started.engine.close());
    abortIfClosing();
    engine = started.engine;
    // Connectivity changed while the engine was starting: catch it up.
    for (const id of first.connected) if (!initialPeers.includes(id)) engine.peerUp(id);
    for (const id of initialPeers) if (!first.connected.has(id)) engine.peerDown(id);
    deferred.attach(started.group);
    engine.onRemoved(onRemoved);
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
        rejoins: info.rejoins,
        retiredPeerIds: [...info.retired],
        frames: engine ? await engine.frameStats() : null,
        mesh: session ? session.mesh.stats() : null,
        startupError: deferred.startupError ? deferred.startupError.message : null,
      };
    },
    pageHide(): void {
      const s = session;
      if (!s || closing) return;
      const status: GroupStatus = deferred.status;
      for (const { to, bytes } of pageHideFrames(status, s.connected, options.leaveOnPageHide)) s.mesh.send(to, bytes, 'control');
    },
  });
}
