// The engine side of a peer: EngineHost (engine + storage + ticks) behind a FrameRelay (codec and
// counters). Runs inside the browser Worker, or in-process in Node and for `worker: false`.
// It reports when the engine says this peer was removed from the group, and can start over under a
// new peer id (reset): the old identity's storage is deleted and a fresh host, which joins as a
// learner and catches up, takes over the same client channel.
import {
  EngineHost,
  encodeMessage,
  realClock,
  seededRandom,
  tryDecodeMessage,
  type HostPort,
  type LeadershipPreference,
  type Departure,
  type LogTail,
  type Membership,
  type PeerId,
  type RaftConfig,
  type Storage,
} from '@meshraft/core';
import type { Channel } from './channel';
import { planRelay, type RelayedPlan } from './departure-frames';
import { FrameRelay, type DecodeOutcome } from './frame-relay';
import type { EngineSide } from './launch';

export interface EngineRuntimeOptions {
  peerId: PeerId;
  storage: Storage;
  /** The host's end of the HostPort channel to the GroupClient. */
  port: HostPort;
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
  bootstrap: Membership | undefined;
  /** Re-found the group on the stored log (see RaftNodeOptions.refound). */
  refound?: boolean;
  /** Entries of another copy of the log on this device that continue the stored one (RaftNodeOptions.logTail); first engine only. */
  logTail?: LogTail;
  /** Peers connected before the engine started. */
  peers: PeerId[];
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
  /** The engine's departure plan changed; called before the frames of the same Ready are transmitted. */
  departurePlan?(plan: RelayedPlan): void;
  /** Departure notices of other peers the engine saw first (to keep as tombstones). */
  departures?(notices: Departure[]): void;
  onError?(error: unknown): void;
  /**
   * How to start over under a new id: delete a peer's storage, open a fresh one. Absent (a custom
   * Storage object, which cannot be re-created) means the peer stays removed.
   */
  storageLifecycle?: StorageLifecycle;
}

export interface StorageLifecycle {
  /** `dbName`: another database from now on (a browser slot the peer moves to). */
  open(peerId: PeerId, dbName?: string): Promise<Storage>;
  /** Delete everything stored for `peerId` (its storage is closed first). */
  forget(peerId: PeerId): Promise<void>;
}

function decodeFrame(bytes: Uint8Array): DecodeOutcome {
  const result = tryDecodeMessage(bytes);
  return result.ok ? result : { ok: false, reason: result.error.reason };
}

/** A fresh seed per start: election timeouts of different peers must not be correlated. */
function randomSeed(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0];
}

/** The engine side plus what only its own thread can do: take frames from the same-browser channel. */
export interface EngineRuntime extends EngineSide {
  /** The peer id the engine runs as now (changes on reset). */
  peerId(): PeerId;
  /** A message from the same-browser channel (local-inbox.ts); `linked`: whom it may count as coming from. */
  inboundLocal(data: unknown, linked: (id: PeerId) => boolean): void;
}

export async function startEngineRuntime(options: EngineRuntimeOptions): Promise<EngineRuntime> {
  let host: EngineHost | null = null;
  let removed = false;
  let plan: RelayedPlan | null = null;
  const toRelayed = planRelay();
  let onRemoved: (() => void) | null = null;
  let onDepartures: ((notices: Departure[]) => void) | null = null;
  const relay = new FrameRelay({
    decode: decodeFrame,
    encode: (message) => encodeMessage(message),
    deliver: (from, message) => host?.receive(from, message),
    transmit: options.transmit,
  });

  const startHost = async (peerId: PeerId, storage: Storage, bootstrap: Membership | undefined, peers: PeerId[], refound = false, logTail?: LogTail) => {
    const created = new EngineHost({
      id: peerId,
      storage,
      transport: {
        send: (to, message) => relay.outbound(to, message),
        departurePlan: (next) => {
          if (host !== created) return;
          plan = toRelayed(next);
          options.departurePlan?.(plan);
        },
        departures: (notices) => {
          if (host !== created) return;
          options.departures?.(notices);
          onDepartures?.(notices);
        },
      },
      port: options.port,
      clock: realClock,
      random: seededRandom(randomSeed()),
      config: options.config,
      preference: options.preference,
      bootstrap,
      refound,
      ...(logTail ? { logTail } : {}),
      onError: options.onError,
      onStatus: (status) => {
        if (!status.removed || removed || host !== created) return;
        removed = true;
        onRemoved?.();
      },
    });
    host = created;
    await created.start();
    for (const peer of peers) created.peerUp(peer);
    return created;
  };

  let first: EngineHost;
  try {
    first = await startHost(options.peerId, options.storage, options.bootstrap, options.peers, options.refound === true, options.logTail);
  } catch (error) {
    // The storage was handed to this runtime, and no engine runs on it: let it go (its connection,
    // the slot's writer lock), or the next start on this database would wait for it for good.
    const failed = host as EngineHost | null;
    host = null;
    if (failed) {
      failed.halt();
      await failed.releaseStorage().catch(() => {});
    } else {
      await options.storage.close().catch(() => {});
    }
    throw error;
  }
  let current = first;
  const lifecycle = options.storageLifecycle;
  return {
    inbound: (from, bytes) => relay.inbound(from, bytes),
    peerId: () => current.id,
    inboundLocal: (data, linked) => relay.inboundLocal(data, current.id, linked),
    peerUp: (id) => current.peerUp(id),
    peerDown: (id) => current.peerDown(id),
    peerGone: (id) => current.peerGone(id),
    peersPresent: (present) => current.peersPresent(present),
    frameStats: async () => relay.stats(),
    departurePlan: () => plan,
    onDepartures(handler) {
      onDepartures = handler;
    },
    depart: () => {
      current.depart();
      // Let the slot's database go once the last batch landed: the next identity on the slot (a
      // re-founding or removed tab's, or the next tab's) writes only after it (only-writer.ts).
      void current.releaseStorage().catch(() => {});
    },
    close: () => current.close(),
    onRemoved(handler) {
      onRemoved = handler;
      if (removed) handler();
    },
    reset: lifecycle
      ? async (peerId, refound = false, dbName) => {
          const old = current;
          // The client keeps its port: the new host takes it over (no 'closed' notice).
          await old.close(null, { notify: false });
          await old.releaseStorage(); // closed already, unless it departed first (then close() did nothing)
          await lifecycle.forget(old.id);
          removed = false;
          plan = null;
          // A peer re-joining under a new id never bootstraps: it is added by the leader, unless it
          // re-founds the group on the slot's log (a frozen tab, see launch.ts).
          current = await startHost(peerId, await lifecycle.open(peerId, dbName), undefined, [], refound);
        }
      : undefined,
  };
}
