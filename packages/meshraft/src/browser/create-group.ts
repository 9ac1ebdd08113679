// createGroup() for browsers: identity per tab (sessionStorage + Web Lock), WebRTC mesh on the main
// thread, engine + IndexedDB in a module Worker (or in-process with `worker: false`).
import type { StateMachine } from '@meshraft/core';
import { createPeerMesh, deriveRoomAndAuthKey } from '@meshraft/webrtc';
import { acquireTabIdentity, forgetTabIdentity, mintPeerId, type LockManagerLike } from '../identity';
import { validateOptions, type CreateGroupOptions } from '../options';
import { createClient } from '../runtime/client';
import { launchGroup, type MeshraftGroup } from '../runtime/launch';
import { meshPortFrom } from '../runtime/mesh-adapter';
import { startWorkerEngine } from './worker-engine';

function tabLocks(): LockManagerLike | null {
  return typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks as unknown as LockManagerLike) : null;
}

export function createGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(options: CreateGroupOptions<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const resolved = validateOptions(options, 'browser');
  const group = launchGroup<Cmd, Q, QR, R>(resolved, {
    deriveRoom: (key) => deriveRoomAndAuthKey(key),
    async identity(room) {
      const locks = tabLocks();
      // Without Web Locks (very old browsers, some embedded views) a duplicate cannot be detected:
      // use a fresh id per load rather than risk two live peers sharing one.
      if (!locks || typeof sessionStorage === 'undefined') return { peerId: mintPeerId(), release: () => {} };
      return acquireTabIdentity({ scope: room, session: sessionStorage, locks });
    },
    forgetIdentity(room, peerId) {
      if (typeof sessionStorage !== 'undefined') forgetTabIdentity(sessionStorage, room, peerId);
    },
    openMesh: ({ room, peerId, authKey }) =>
      meshPortFrom(createPeerMesh({ signalingUrl: resolved.signaling, room, peerId, authKey, iceServers: resolved.iceServers })),
    async startEngine(args) {
      if (resolved.worker && typeof resolved.storage === 'string') {
        const { engine, clientPort } = await startWorkerEngine({
          ...args,
          storage: resolved.storage,
          preference: resolved.preference,
          config: resolved.configOverrides,
        });
        return { engine, group: createClient(clientPort, resolved.stateMachine as StateMachine<Cmd, Q, R, QR>, args.peerId, resolved.configOverrides) };
      }
      // The in-process engine (worker: false, or a Storage object) brings the whole Raft engine to
      // the main thread: loaded only by the apps that use it, so the default bundle stays small.
      const { startInProcessEngine } = await import('../runtime/in-process-engine');
      return startInProcessEngine({
        ...args,
        storage: resolved.storage,
        preference: resolved.preference,
        config: resolved.configOverrides,
        stateMachine: resolved.stateMachine,
      });
    },
  });
  // A tab going away cannot wait for the Worker: hand leadership over synchronously (handoff.ts).
  // After close() pageHide() does nothing.
  if (typeof addEventListener === 'function') addEventListener('pagehide', () => group.pageHide());
  return group;
}
