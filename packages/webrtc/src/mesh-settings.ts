// PeerMeshOptions checked and completed with their defaults (documented on PeerMeshOptions): a bad
// value throws here, before the mesh dials anyone.
import { Backoff } from './backoff';
import { MAX_FRAME_BYTES, payloadPerFrame } from './framing';
import type { PeerLinkContext } from './peer-link';
import type { BackoffOptions, PeerMeshOptions } from './types';

const MiB = 1024 * 1024;

export interface MeshSettings {
  reconnect: BackoffOptions;
  joinTimeoutMs: number;
  /** How long a peer may take to re-register in the room after a server restart (redial cap + join timeout). */
  reregisterBoundMs: number;
  aliveIntervalMs: number;
  scheduler: PeerLinkContext['scheduler'];
  liveness: PeerLinkContext['liveness'];
  connectTimeoutMs: number;
  backpressurePollMs: number;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
  return v;
}

export function meshSettings(options: PeerMeshOptions): MeshSettings {
  const reconnect = options.reconnect ?? { minMs: 250, maxMs: 10_000 };
  new Backoff(reconnect); // validates
  const joinTimeoutMs = positive(options.joinTimeoutMs, 10_000, 'joinTimeoutMs');
  const maxMessageBytes = positive(options.maxMessageBytes, 16 * MiB, 'maxMessageBytes');
  const frameBytes = options.frameBytes ?? MAX_FRAME_BYTES;
  const scheduler = {
    payloadBytes: payloadPerFrame(frameBytes),
    highWaterMark: positive(options.highWaterMark, 1 * MiB, 'highWaterMark'),
    maxQueuedBytes: positive(options.maxQueuedBytes, 2 * maxMessageBytes, 'maxQueuedBytes'),
    maxMessageBytes,
  };
  if (scheduler.maxQueuedBytes < maxMessageBytes) throw new RangeError('maxQueuedBytes must be >= maxMessageBytes');
  const heartbeatMs = positive(options.linkHeartbeatMs, 2_000, 'linkHeartbeatMs');
  const timeoutMs = positive(options.linkTimeoutMs, 12_000, 'linkTimeoutMs');
  if (timeoutMs < 2 * heartbeatMs) throw new RangeError('linkTimeoutMs must be at least 2 x linkHeartbeatMs');
  const connectTimeoutMs = positive(options.connectTimeoutMs, 20_000, 'connectTimeoutMs');
  const backpressurePollMs = positive(options.backpressurePollMs, 10, 'backpressurePollMs');
  const aliveIntervalMs = positive(options.aliveIntervalMs, 5_000, 'aliveIntervalMs');
  return {
    reconnect,
    joinTimeoutMs,
    reregisterBoundMs: reconnect.maxMs + joinTimeoutMs,
    aliveIntervalMs,
    scheduler,
    liveness: { heartbeatMs, timeoutMs, probeTimeoutMs: 2 * heartbeatMs },
    connectTimeoutMs,
    backpressurePollMs,
  };
}
