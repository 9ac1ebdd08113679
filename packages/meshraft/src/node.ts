// meshraft for Node (export 'meshraft/node'): the same createGroup(), with the engine in-process,
// memory or custom storage, and WebRTC from @roamhq/wrtc (always-on observers, archivers, tests).
import { createRequire } from 'node:module';
import { createPeerMesh, deriveRoomAndAuthKey, type SimplePeerConstructor, type WrtcLike } from '@meshraft/webrtc';
import { mintPeerId } from './identity';
import { validateOptions, type CreateGroupOptions } from './options';
import { startInProcessEngine } from './runtime/in-process-engine';
import { fixedClaimOn } from './runtime/claim';
import { launchGroup, type MeshraftGroup } from './runtime/launch';
import { meshPortFrom } from './runtime/mesh-adapter';

export interface NodeGroupOptions<Cmd, Q, QR, R = unknown> extends CreateGroupOptions<Cmd, Q, QR, R> {
  /** A WebRTC implementation; default: `@roamhq/wrtc` (must be installed next to the app). */
  wrtc?: WrtcLike;
}

let nodeDeps: { SimplePeer: SimplePeerConstructor; wrtc: WrtcLike } | null = null;

/** simple-peer's Node main and @roamhq/wrtc, loaded once (native addon). */
function loadNodePeerDeps(): { SimplePeer: SimplePeerConstructor; wrtc: WrtcLike } {
  if (!nodeDeps) {
    const require = createRequire(import.meta.url);
    nodeDeps = {
      SimplePeer: require('simple-peer') as SimplePeerConstructor,
      wrtc: require('@roamhq/wrtc') as WrtcLike,
    };
  }
  return nodeDeps;
}

export function createGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(options: NodeGroupOptions<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const resolved = validateOptions(options, 'node');
  return launchGroup<Cmd, Q, QR, R>(resolved, {
    deriveRoom: (key) => deriveRoomAndAuthKey(key, { appId: resolved.appId }),
    // A Node process has no tabs: without a given peerId, each createGroup is a new peer.
    claim: async () => fixedClaimOn(mintPeerId(), resolved.storage),
    openMesh: ({ room, peerId, authKey }) => {
      const deps = loadNodePeerDeps();
      return meshPortFrom(
        createPeerMesh({
          signalingUrl: resolved.signaling,
          room,
          peerId,
          authKey,
          iceServers: resolved.iceServers,
          SimplePeer: deps.SimplePeer,
          wrtc: options.wrtc ?? deps.wrtc,
        }),
      );
    },
    startEngine: (args) =>
      startInProcessEngine({
        ...args,
        storage: resolved.storage,
        preference: resolved.preference,
        config: resolved.configOverrides,
        stateMachine: resolved.stateMachine,
      }),
  });
}

export type { CreateGroupOptions, StorageOption, TestingOptions } from './options';
export type { MeshraftGroup, GroupStats } from './runtime/launch';
export type { FrameStats } from './runtime/frame-stats';
export type { MeshStatsLike } from './runtime/mesh-port';
export * from './shared-exports';
