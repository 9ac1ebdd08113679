// The engine Worker: EngineHost, IndexedDB storage, the codec and the ticks run here,
// off the main thread (worker timers are not throttled like a hidden tab's). The main thread only
// relays raw frames; this side decodes them (counting bad ones) and encodes what the engine sends.
// Frames from tabs of this browser arrive here directly over the same-browser channel
// (runtime/local-inbox.ts); what the engine sends always goes through the main thread.
/// <reference lib="webworker" />
import { realClock, type ClientToHost, type HostToClient, type Storage } from '@meshraft/core';
import type { RelayedPlan } from '../runtime/departure-frames';
import { transferableBuffer } from '../runtime/transfer';
import { startEngineRuntime, type EngineRuntime } from '../runtime/engine-runtime';
import { LocalInbox } from '../runtime/local-inbox';
import { openStorage, storageLifecycle } from '../runtime/storage';
import { startWarmUp, type WarmUpRun } from '../runtime/warm-up';
import { portOverMessagePort } from './message-port';
import type { MainToWorker, OutgoingFrame, WorkerInit, WorkerPrepare, WorkerToMain } from './worker-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let engine: EngineRuntime | null = null;
let starting: Promise<void> | null = null;
/** Connectivity seen while the engine was starting, replayed once it runs. */
const connected = new Set<string>();

/** The same-browser channel's receiving end (null: off). */
let inbox: LocalInbox | null = null;

/** The engine warm-up (runtime/warm-up.ts), once the engine started; stopped when it closes. */
let warmUp: WarmUpRun | null = null;

/**
 * Outgoing frames wait here until the engine host's current step is done (the first microtask
 * checkpoint), then cross as one 'send' message: one postMessage and one main-thread task per
 * Ready instead of one per frame.
 */
let frames: OutgoingFrame[] = [];
/**
 * The engine's latest departure plan, not posted yet: it rides in the next 'send', ahead of its
 * frames (one message instead of two; the plan covers every frame produced before it, so frames
 * queued earlier are covered too).
 */
let plan: RelayedPlan | null = null;
let flushQueued = false;

function queueFlush(): void {
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(flushFrames);
}

function flushFrames(): void {
  flushQueued = false;
  if (frames.length === 0 && plan === null) return;
  const batch = frames;
  frames = [];
  const message: WorkerToMain = plan === null ? { type: 'send', frames: batch } : { type: 'send', frames: batch, plan };
  plan = null;
  scope.postMessage(message, batch.map((f) => f.bytes));
}

/** Every other message flushes the frames queued before it first, so the main thread sees them in order. */
function post(message: WorkerToMain, transfer: Transferable[] = []): void {
  flushFrames();
  scope.postMessage(message, transfer);
}

/** The storage a 'prepare' message opened ahead of 'init'. */
let prepared: { request: WorkerPrepare; storage: Promise<Storage> } | null = null;

/** The storage `init` names: the prepared one when it is that one, else opened now. */
function storageFor(init: WorkerInit): Promise<Storage> {
  const ahead = prepared;
  prepared = null;
  if (ahead) {
    const { request } = ahead;
    if (request.peerId === init.peerId && request.storage === init.storage && request.durability === init.durability && request.dbName === init.dbName) return ahead.storage;
    void ahead.storage.then((storage) => storage.close()).catch(() => {});
  }
  return openStorage(init.storage, init.peerId, init.dbName, init.durability);
}

async function start(init: WorkerInit): Promise<void> {
  for (const id of init.peers) connected.add(id);
  const storage = await storageFor(init);
  const initialPeers = [...connected];
  engine = await startEngineRuntime({
    peerId: init.peerId,
    storage,
    port: portOverMessagePort<HostToClient, ClientToHost>(init.hostPort),
    preference: init.preference,
    config: init.config,
    bootstrap: init.bootstrap ?? undefined,
    refound: init.refound,
    ...(init.logTail ? { logTail: init.logTail } : {}),
    peers: initialPeers,
    transmit: (to, bytes, channel) => {
      frames.push({ to, channel, bytes: transferableBuffer(bytes) });
      queueFlush();
    },
    departurePlan: (next) => {
      plan = next;
      queueFlush();
    },
    departures: (notices) => post({ type: 'departures', notices }),
    storageLifecycle: storageLifecycle(init.storage, init.dbName, init.durability),
  });
  engine.onRemoved(() => post({ type: 'removed' }));
  for (const id of connected) if (!initialPeers.includes(id)) engine.peerUp(id);
  for (const id of initialPeers) if (!connected.has(id)) engine.peerDown(id);
  if (init.localSecret !== null && typeof BroadcastChannel === 'function') {
    const runtime = engine;
    inbox = new LocalInbox({ secret: init.localSecret, open: (name) => new BroadcastChannel(name), receive: (data, linked) => runtime.inboundLocal(data, linked) });
    for (const id of connected) inbox.peerUp(id);
    inbox.listenAs(engine.peerId());
  }
  post({ type: 'started' });
  warmUp = startWarmUp(realClock);
}

scope.onmessage = (event: MessageEvent<MainToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'prepare':
      if (starting || prepared) return;
      prepared = { request: message, storage: openStorage(message.storage, message.peerId, message.dbName, message.durability) };
      prepared.storage.catch(() => {}); // observed by 'init', which fails with that error
      return;
    case 'init':
      if (starting) return;
      starting = start(message).catch((error: unknown) => {
        post({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      });
      return;
    case 'frame':
      // Before the engine runs a frame is dropped: Raft tolerates loss (§5.3 retries).
      engine?.inbound(message.from, new Uint8Array(message.bytes));
      return;
    case 'peer-up':
      connected.add(message.id);
      inbox?.peerUp(message.id);
      engine?.peerUp(message.id);
      return;
    case 'peer-down':
      connected.delete(message.id);
      inbox?.peerDown(message.id);
      engine?.peerDown(message.id);
      return;
    case 'peer-gone':
      engine?.peerGone(message.id);
      return;
    case 'peers-present':
      engine?.peersPresent(message.present);
      return;
    case 'depart':
      warmUp?.stop();
      inbox?.listenAs(null);
      engine?.depart();
      return;
    case 'stats':
      void (engine ? engine.frameStats() : Promise.resolve(null)).then((stats) => {
        if (stats && inbox) stats.local.listening = inbox.listening();
        post({ type: 'stats', requestId: message.requestId, stats });
      });
      return;
    case 'reset':
      void (async () => {
        await starting;
        if (!engine?.reset) return post({ type: 'reset-done', error: 'this engine cannot start over' });
        // Peers the old identity saw are gone with its mesh; the new one reports its own.
        for (const id of connected) inbox?.peerDown(id);
        connected.clear();
        try {
          inbox?.listenAs(null);
          await engine.reset(message.peerId, message.refound, message.dbName);
          inbox?.listenAs(message.peerId);
          post({ type: 'reset-done', error: null });
        } catch (error) {
          post({ type: 'reset-done', error: error instanceof Error ? error.message : String(error) });
        }
      })();
      return;
    case 'close':
      void (async () => {
        await starting;
        warmUp?.stop();
        inbox?.listenAs(null);
        await engine?.close();
        post({ type: 'closed' });
      })();
      return;
  }
};
