// The main thread's handle on the engine Worker: starts it, relays frames both ways as
// transferable ArrayBuffers (never decoded here), and hands GroupClient its end of the HostPort.
import type { ClientPort, ClientToHost, Departure, HostToClient, LeadershipPreference, RaftConfig } from '@meshraft/core';
import type { StorageDurability } from '@meshraft/idb';
import type { RelayedPlan } from '../runtime/departure-frames';
import type { FrameStats } from '../runtime/frame-stats';
import type { EngineSide, StartEngineArgs } from '../runtime/launch';
import { transferableBuffer } from '../runtime/transfer';
import { portOverMessagePort } from './message-port';
import type { MainToWorker, WorkerToMain } from './worker-protocol';

export interface WorkerEngineArgs extends StartEngineArgs {
  /** The engine Worker, spawned ahead (spawnEngineWorker) so that its module loads meanwhile. */
  worker: SpawnedWorker;
  storage: 'indexeddb' | 'memory';
  durability: StorageDurability;
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
}

/** How long close() waits for the worker to flush and close storage before terminating it. */
const CLOSE_GRACE_MS = 3000;

/** An engine Worker spawned before its group knows what to run, and whether its module failed to load meanwhile. */
export interface SpawnedWorker {
  worker: Worker;
  loadError: string | null;
}

export function spawnEngineWorker(): SpawnedWorker {
  // Vite (and other bundlers) recognise this form and emit the worker as an ES module chunk.
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'meshraft-engine' });
  const spawned: SpawnedWorker = { worker, loadError: null };
  // An error before startWorkerEngine listens (the module failed to load) must not be lost.
  worker.addEventListener('error', (event) => (spawned.loadError ??= event.message || 'failed to load the worker module'));
  return spawned;
}

export async function startWorkerEngine(args: WorkerEngineArgs): Promise<{ engine: EngineSide; clientPort: ClientPort }> {
  const { worker } = args.worker;
  const channel = new MessageChannel();
  const post = (message: MainToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  const statsWaiters = new Map<number, (stats: FrameStats | null) => void>();
  let nextStatsId = 1;
  let onClosed: (() => void) | null = null;
  let removed = false;
  let onRemoved: (() => void) | null = null;
  let plan: RelayedPlan | null = null;
  let onDepartures: ((notices: Departure[]) => void) | null = null;
  let resetDone: ((error: string | null) => void) | null = null;
  let settleStart: { resolve(): void; reject(error: Error): void } | null = null;
  const startedPromise = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));

  worker.onmessage = (event: MessageEvent<WorkerToMain>) => {
    const message = event.data;
    switch (message.type) {
      case 'send':
        if (message.plan) plan = message.plan;
        for (const frame of message.frames) args.transmit(frame.to, new Uint8Array(frame.bytes), frame.channel);
        return;
      case 'departures':
        onDepartures?.(message.notices);
        return;
      case 'started':
        settleStart?.resolve();
        return;
      case 'failed':
        settleStart?.reject(new Error(`engine worker failed to start: ${message.message}`));
        return;
      case 'stats':
        statsWaiters.get(message.requestId)?.(message.stats);
        statsWaiters.delete(message.requestId);
        return;
      case 'removed':
        removed = true;
        onRemoved?.();
        return;
      case 'reset-done':
        resetDone?.(message.error);
        resetDone = null;
        return;
      case 'closed':
        onClosed?.();
        return;
    }
  };
  worker.onerror = (event) => {
    settleStart?.reject(new Error(`engine worker error: ${event.message || 'failed to load the worker module'}`));
  };
  if (args.worker.loadError !== null) settleStart!.reject(new Error(`engine worker error: ${args.worker.loadError}`));

  post(
    {
      type: 'init',
      peerId: args.peerId,
      storage: args.storage,
      durability: args.durability,
      dbName: args.dbName,
      refound: args.refound,
      ...(args.logTail ? { logTail: args.logTail } : {}),
      preference: args.preference,
      config: args.config,
      bootstrap: args.bootstrap ?? null,
      peers: args.peers,
      hostPort: channel.port2,
      localSecret: args.localSecret,
    },
    [channel.port2],
  );
  try {
    await startedPromise;
  } catch (error) {
    worker.terminate();
    throw error;
  }

  const engine: EngineSide = {
    inbound(from, bytes) {
      const buffer = transferableBuffer(bytes);
      post({ type: 'frame', from, bytes: buffer }, [buffer]);
    },
    peerUp: (id) => post({ type: 'peer-up', id }),
    peerDown: (id) => post({ type: 'peer-down', id }),
    peerGone: (id) => post({ type: 'peer-gone', id }),
    peersPresent: (present) => post({ type: 'peers-present', present: [...present] }),
    frameStats() {
      const requestId = nextStatsId++;
      return new Promise<FrameStats>((resolve, reject) => {
        statsWaiters.set(requestId, (stats) => (stats ? resolve(stats) : reject(new Error('engine not running'))));
        post({ type: 'stats', requestId });
      });
    },
    departurePlan: () => plan,
    onDepartures(handler) {
      onDepartures = handler;
    },
    depart: () => post({ type: 'depart' }),
    onRemoved(handler) {
      onRemoved = handler;
      if (removed) handler();
    },
    reset(peerId, refound = false, dbName) {
      removed = false;
      plan = null;
      return new Promise<void>((resolve, reject) => {
        resetDone = (error) => (error === null ? resolve() : reject(new Error(`engine reset failed: ${error}`)));
        post({ type: 'reset', peerId, refound, ...(dbName !== undefined ? { dbName } : {}) });
      });
    },
    async close() {
      // Let the worker finish the Ready in flight and close IndexedDB, but never hang close().
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS);
        onClosed = () => {
          clearTimeout(timer);
          resolve();
        };
        post({ type: 'close' });
      });
      worker.terminate();
      channel.port1.close();
    },
  };
  return { engine, clientPort: portOverMessagePort<ClientToHost, HostToClient>(channel.port1) };
}
