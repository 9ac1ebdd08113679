// createGroup() for browsers: this profile's slots (a tab's data outlives the tab; see
// local-slots.ts), the WebRTC mesh on the main thread, engine + IndexedDB in a module Worker (or
// in-process with `worker: false`).
import type { StateMachine } from '@meshraft/core';
import { createPeerMesh, deriveLocalChannelName, deriveRoomAndAuthKey } from '@meshraft/webrtc';
import { mintPeerId } from '../identity';
import { validateOptions, type CreateGroupOptions } from '../options';
import { fixedClaimOn } from '../runtime/claim';
import { createClient } from '../runtime/client';
import { launchGroup, type MeshraftGroup } from '../runtime/launch';
import { meshPortFrom } from '../runtime/mesh-adapter';
import type { SlotEnvironment } from './local-slots';
import { claimSlot } from './slot-claim';
import { startWorkerEngine } from './worker-engine';

/** The browser APIs slots need, or null where one is missing (then each load is a new peer). */
function slotEnvironment(): SlotEnvironment | null {
  const nav = typeof navigator !== 'undefined' ? navigator : undefined;
  if (!nav?.locks || typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return null;
  if (typeof localStorage === 'undefined' || typeof sessionStorage === 'undefined') return null;
  const idb = () => import('@meshraft/idb');
  return {
    databases: async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name !== ''),
    openSlot: async (dbName) => (await idb()).openIdbStorage({ peerId: 'slot', dbName }),
    deleteSlot: async (dbName) => (await idb()).deleteIdbStorage({ dbName }),
    locks: nav.locks as unknown as SlotEnvironment['locks'],
    local: localStorage,
    watchLocal(handler) {
      const listener = (event: StorageEvent) => {
        if (event.storageArea === localStorage) handler(event.key);
      };
      addEventListener('storage', listener);
      return () => removeEventListener('storage', listener);
    },
    session: sessionStorage,
    mintSlotId: () => mintPeerId().slice(2),
  };
}

export function createGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(options: CreateGroupOptions<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const resolved = validateOptions(options, 'browser');
  const slots = resolved.storage === 'indexeddb' ? slotEnvironment() : null;
  const inWorker = resolved.worker && typeof resolved.storage === 'string';
  // The same-browser channel ends in the engine Worker: an engine on this thread does not use it.
  const localChannel =
    inWorker && resolved.localChannel && typeof BroadcastChannel === 'function'
      ? { secret: deriveLocalChannelName, open: (name: string) => new BroadcastChannel(name), locks: typeof navigator !== 'undefined' ? navigator.locks : undefined }
      : undefined;
  const group = launchGroup<Cmd, Q, QR, R>(resolved, {
    deriveRoom: (key) => deriveRoomAndAuthKey(key, { appId: resolved.appId }),
    // Without slots (memory or custom storage, or a browser lacking Web Locks) a tab keeps nothing
    // across loads: each load is a new peer.
    claim: async (room) => (slots ? claimSlot(slots, room) : fixedClaimOn(mintPeerId(), resolved.storage)),
    openMesh: ({ room, peerId, authKey }) =>
      meshPortFrom(createPeerMesh({ signalingUrl: resolved.signaling, room, peerId, authKey, iceServers: resolved.iceServers })),
    localChannel,
    async startEngine(args) {
      if (inWorker && typeof resolved.storage === 'string') {
        const { engine, clientPort } = await startWorkerEngine({
          ...args,
          storage: resolved.storage,
          preference: resolved.preference,
          config: resolved.configOverrides,
        });
        return { engine, group: createClient(clientPort, resolved.stateMachine as StateMachine<Cmd, Q, R, QR>, args.peerId, resolved.configOverrides) };
      }
      // Loaded only here: most apps run the engine in the Worker and never need this code.
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
  // A tab going away cannot wait for the Worker: it departs synchronously (launch.ts pageHide()).
  // After close() pageHide() does nothing.
  if (typeof addEventListener === 'function') {
    addEventListener('pagehide', () => group.pageHide());
    addEventListener('pageshow', (event) => group.pageShow((event as PageTransitionEvent).persisted));
  }
  return group;
}
