// The engine side of a peer: EngineHost (engine + storage + ticks) behind a FrameRelay (codec and
// counters). Runs inside the browser Worker, or in-process in Node and for `worker: false`.
import {
  EngineHost,
  encodeMessage,
  realClock,
  seededRandom,
  tryDecodeMessage,
  type HostPort,
  type LeadershipPreference,
  type Membership,
  type PeerId,
  type RaftConfig,
  type Storage,
} from '@meshraft/core';
import type { Channel } from './channel';
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
  /** Peers connected before the engine started. */
  peers: PeerId[];
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
  onError?(error: unknown): void;
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

export async function startEngineRuntime(options: EngineRuntimeOptions): Promise<EngineSide> {
  let host: EngineHost | null = null;
  const relay = new FrameRelay({
    decode: decodeFrame,
    encode: (message) => encodeMessage(message),
    deliver: (from, message) => host?.receive(from, message),
    transmit: options.transmit,
  });
  const created = new EngineHost({
    id: options.peerId,
    storage: options.storage,
    transport: { send: (to, message) => relay.outbound(to, message) },
    port: options.port,
    clock: realClock,
    random: seededRandom(randomSeed()),
    config: options.config,
    preference: options.preference,
    bootstrap: options.bootstrap,
    onError: options.onError,
  });
  await created.start();
  host = created;
  for (const peer of options.peers) created.peerUp(peer);
  return {
    inbound: (from, bytes) => relay.inbound(from, bytes),
    peerUp: (id) => created.peerUp(id),
    peerDown: (id) => created.peerDown(id),
    frameStats: async () => relay.stats(),
    close: () => created.close(),
  };
}
