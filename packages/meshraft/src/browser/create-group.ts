// createGroup() for browsers: this profile's slots (a tab's data outlives the tab; see
// local-slots.ts), the WebRTC mesh on the main thread, engine + IndexedDB in a module Worker (or
// in-process with `worker: false`).
import type { StateMachine } from '@meshraft/core';
import type { StorageDurability } from '@meshraft/idb';
import { createPeerMesh, deriveLocalChannelName, deriveRoomAndAuthKey, derivationShareName, preloadSimplePeer } from '@meshraft/webrtc';
import { mintPeerId } from '../identity';
import { validateOptions, type CreateGroupOptions } from '../options';
import { fixedClaimOn } from '../runtime/claim';
import { createClient } from '../runtime/client';
import { launchGroup, type MeshraftGroup } from '../runtime/launch';
import { meshPortFrom } from '../runtime/mesh-adapter';
import type { SlotEnvironment } from './local-slots';
import { DerivationShare, type DerivationShareEnvironment } from './derivation-share';
import { claimSlot } from './slot-claim';
import { spawnEngineWorker, startWorkerEngine, type SpawnedWorker } from './worker-engine';
import type { MainToWorker } from './worker-protocol';

/**
 * The browser APIs slots need, or null where one is missing (then each load is a new peer). A slot
 * handed over at claim time is written with the group's `durability`, as its engine writes it.
 */
function slotEnvironment(durability: StorageDurability): SlotEnvironment | null {
  const nav = typeof navigator !== 'undefined' ? navigator : undefined;
  if (!nav?.locks || typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return null;
  if (typeof localStorage === 'undefined' || typeof sessionStorage === 'undefined') return null;
  const idb = () => import('@meshraft/idb');
  return {
    databases: async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name !== ''),
    openSlot: async (dbName) => (await idb()).openIdbStorage({ peerId: 'slot', dbName, durability }),
    openExistingSlot: async (dbName) => (await idb()).openExistingIdbStorage({ peerId: 'slot', dbName }),
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

/** What sharing the key derivation between this profile's tabs needs, or null where it is missing. */
function derivationShareEnvironment(): DerivationShareEnvironment | null {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel !== 'function') return null;
  return { open: (name) => new BroadcastChannel(name), locks: locks as unknown as DerivationShareEnvironment['locks'] };
}

/** The group key's room id and auth key, derived once between the tabs of this profile that open it. */
async function deriveRoomShared(key: Uint8Array, appId: string | undefined) {
  const run = () => deriveRoomAndAuthKey(key, { appId });
  const env = derivationShareEnvironment();
  if (env === null) return run();
  const share = new DerivationShare(await derivationShareName(key, { appId }), env);
  try {
    const derived = await share.derive(run);
    return { ...derived, source: share.source ?? 'derived', release: () => share.close() };
  } catch (error) {
    share.close();
    throw error;
  }
}

/**
 * Why the browser entry cannot start its engine Worker here, or null in a page (or a Worker) of a
 * browser. Server-side rendering evaluates an app's modules in Node, where a module-level
 * createGroup() would otherwise fail on a missing Worker with advice about script origins that does
 * not apply.
 */
function notInBrowser(): Error | null {
  if (typeof document !== 'undefined' || typeof Worker !== 'undefined') return null;
  return new Error(
    "createGroup from 'meshraft' runs in a browser page, and this environment has no document or Worker (server-side rendering?): create the group in the browser, and let the server render its initial status (@meshraft/react's hooks do); in Node, use createGroup from 'meshraft/node'",
  );
}

export function createGroup<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(options: CreateGroupOptions<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const resolved = validateOptions(options, 'browser');
  const slots = resolved.storage === 'indexeddb' ? slotEnvironment(resolved.durability) : null;
  const inWorker = resolved.worker && typeof resolved.storage === 'string';
  // The same-browser channel ends in the engine Worker: an engine on this thread does not use it.
  const localChannel =
    inWorker && resolved.localChannel && typeof BroadcastChannel === 'function'
      ? { secret: deriveLocalChannelName, open: (name: string) => new BroadcastChannel(name), locks: typeof navigator !== 'undefined' ? navigator.locks : undefined }
      : undefined;
  // The Worker loads its module while this thread derives the key, claims a slot and joins the room,
  // and so does the WebRTC library the mesh waits for before it joins.
  let spawned: SpawnedWorker | null = null;
  // The browser refuses the Worker at once when its script is on another origin (the app's assets on
  // a CDN) or a CSP forbids it: that fails `started`, as every start-up error does, not createGroup.
  // `worker: false` runs anywhere the mesh does (tests in Node, say); the default needs a browser.
  let spawnError: Error | null = inWorker ? notInBrowser() : null;
  if (inWorker && spawnError === null) {
    try {
      spawned = spawnEngineWorker();
    } catch (error) {
      spawnError = new Error(
        `the engine Worker could not be created (${error instanceof Error ? error.message : String(error)}); serve the app's scripts from the page's origin, or pass worker: false`,
      );
    }
  }
  if (spawnError === null) preloadSimplePeer();
  const group = launchGroup<Cmd, Q, QR, R>(resolved, {
    // The first start-up step: a Worker the browser refused (or no browser at all) fails the start
    // here, without waiting for the room (whose signaling server may be unreachable too).
    deriveRoom: (key) => (spawnError ? Promise.reject(spawnError) : deriveRoomShared(key, resolved.appId)),
    prepareEngine({ peerId, dbName }) {
      if (spawned && typeof resolved.storage === 'string') spawned.worker.postMessage({ type: 'prepare', peerId, storage: resolved.storage, durability: resolved.durability, dbName } satisfies MainToWorker);
    },
    // Without slots (memory or custom storage, or a browser lacking Web Locks) a tab keeps nothing
    // across loads: each load is a new peer.
    claim: async (room) => (slots ? claimSlot(slots, room) : fixedClaimOn(mintPeerId(), resolved.storage)),
    openMesh: ({ room, peerId, authKey }) =>
      meshPortFrom(createPeerMesh({ signalingUrl: resolved.signaling, room, peerId, authKey, iceServers: resolved.iceServers })),
    localChannel,
    async startEngine(args) {
      if (inWorker && typeof resolved.storage === 'string') {
        const worker = spawned ?? spawnEngineWorker();
        spawned = null;
        const { engine, clientPort } = await startWorkerEngine({
          ...args,
          worker,
          storage: resolved.storage,
          durability: resolved.durability,
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
        durability: resolved.durability,
        preference: resolved.preference,
        config: resolved.configOverrides,
        stateMachine: resolved.stateMachine,
      });
    },
  });
  // A start that failed or was closed before the engine started leaves the Worker unused.
  group.started.catch(() => {
    spawned?.worker.terminate();
    spawned = null;
  });
  // A tab going away cannot wait for the Worker: it departs synchronously (launch.ts pageHide()).
  // After close() pageHide() does nothing.
  if (typeof addEventListener === 'function') watchPage(group);
  return group;
}

/**
 * Forwards the page's pagehide/pageshow to the group for as long as it runs. The listeners hold the
 * group (its client, state machine and state), so they go once it has stopped: when close() has
 * finished (a tab closing while close() runs still departs through pagehide) or when its start
 * failed (the runtime is already shut down then, and pageHide() does nothing).
 */
function watchPage<Cmd, Q, QR, R>(group: MeshraftGroup<Cmd, Q, QR, R>): void {
  const onPageHide = () => group.pageHide();
  const onPageShow = (event: Event) => group.pageShow((event as PageTransitionEvent).persisted);
  addEventListener('pagehide', onPageHide);
  addEventListener('pageshow', onPageShow);
  const unwatch = () => {
    if (typeof removeEventListener !== 'function') return;
    removeEventListener('pagehide', onPageHide);
    removeEventListener('pageshow', onPageShow);
  };
  group.started.catch(unwatch);
  const close = group.close.bind(group);
  group.close = () => close().finally(unwatch);
}
