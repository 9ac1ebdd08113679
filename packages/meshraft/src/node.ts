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

let simplePeer: SimplePeerConstructor | null = null;
let defaultWrtc: WrtcLike | null = null;
const require = createRequire(import.meta.url);

/** simple-peer's Node main, loaded once. */
function loadSimplePeer(): SimplePeerConstructor {
  simplePeer ??= require('simple-peer') as SimplePeerConstructor;
  return simplePeer;
}

/**
 * @roamhq/wrtc (a native addon, an optional dependency), loaded once and only when the app gave
 * no `wrtc`: it is missing where the platform has no prebuilt binary, or after --omit=optional.
 */
function loadDefaultWrtc(): WrtcLike {
  if (!defaultWrtc) {
    try {
      defaultWrtc = require('@roamhq/wrtc') as WrtcLike;
    } catch (cause) {
      throw new Error(`meshraft/node needs a WebRTC implementation: install @roamhq/wrtc next to the app, or pass the wrtc option (${(cause as Error).message})`);
    }
  }
  return defaultWrtc;
}

export function createGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(options: NodeGroupOptions<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const resolved = validateOptions(options, 'node');
  return launchGroup<Cmd, Q, QR, R>(resolved, {
    deriveRoom: (key) => deriveRoomAndAuthKey(key, { appId: resolved.appId }),
    // A Node process has no tabs: without a given peerId, each createGroup is a new peer.
    claim: async () => fixedClaimOn(mintPeerId(), resolved.storage),
    openMesh: ({ room, peerId, authKey }) => {
      return meshPortFrom(
        createPeerMesh({
          signalingUrl: resolved.signaling,
          room,
          peerId,
          authKey,
          iceServers: resolved.iceServers,
          SimplePeer: loadSimplePeer(),
          wrtc: options.wrtc ?? loadDefaultWrtc(),
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
export type { StorageDurability } from '@meshraft/idb';
export type { MeshraftGroup, GroupStats } from './runtime/launch';
export type { FrameStats } from './runtime/frame-stats';
export type { MeshStatsLike } from './runtime/mesh-port';
export * from './shared-exports';
