// Counters exposed by SignalingServer.stats(). Every refused or dropped inbound message is counted
// exactly once: join refusals in `rejectedJoins`, everything else in `dropped`.

import type { ConnectionLimit, DropReason, JoinError, LimitError } from './protocol';

export type JoinRefusal = Exclude<JoinError, LimitError>;
/** 'buffer-full': more than maxOutboundBufferBytes queued; 'probe-unanswered': no read probe echoed in time. */
export type SlowReaderReason = 'buffer-full' | 'probe-unanswered';

export interface SignalingStats {
  /** Currently connected sockets on this process. */
  connections: number;
  /** Rooms / peers with at least one socket on this process. */
  rooms: number;
  peers: number;
  /** Successful joins since start. */
  joins: number;
  /** Signals handed to a target socket (or its Redis channel). */
  relayed: number;
  dropped: Record<DropReason, number>;
  rejectedJoins: Record<JoinRefusal, number>;
  /** Sockets disconnected for not sending 'alive' within ghostTimeoutMs. */
  ghostsEvicted: number;
  /** Sockets disconnected for sustained flooding. */
  abusersDisconnected: number;
  /** Sockets dropped because they do not read what the server sends them. */
  slowReadersDropped: Record<SlowReaderReason, number>;
  /** Largest number of bytes seen queued for one socket (measured at every outbound packet). */
  outboundHighWaterBytes: number;
  /** WebSocket ping probes sent, and those echoed back with the right nonce. */
  readProbes: { sent: number; answered: number };
  /** Connections refused at the handshake by the per-address or the global cap. */
  refusedConnections: Record<ConnectionLimit, number>;
  /**
   * Redis mode: commands (signals to other processes, presence writes) failed at once because
   * redisQueueMaxCommands were already waiting for an unreachable Redis.
   */
  redisQueueFull: number;
}

export type MutableCounters = Omit<SignalingStats, 'connections' | 'rooms' | 'peers'>;

export function createCounters(): MutableCounters {
  return {
    joins: 0,
    relayed: 0,
    dropped: {
      'too-large': 0,
      'rate-limited': 0,
      'unknown-peer': 0,
      'not-joined': 0,
      'bad-request': 0,
      'unknown-event': 0,
    },
    rejectedJoins: { 'room-full': 0, 'bad-request': 0, 'duplicate-peer': 0, 'already-joined': 0, unavailable: 0 },
    ghostsEvicted: 0,
    abusersDisconnected: 0,
    slowReadersDropped: { 'buffer-full': 0, 'probe-unanswered': 0 },
    outboundHighWaterBytes: 0,
    readProbes: { sent: 0, answered: 0 },
    refusedConnections: { 'per-ip': 0, global: 0 },
    redisQueueFull: 0,
  };
}

export function snapshotCounters(counters: MutableCounters): MutableCounters {
  return {
    ...counters,
    dropped: { ...counters.dropped },
    rejectedJoins: { ...counters.rejectedJoins },
    slowReadersDropped: { ...counters.slowReadersDropped },
    readProbes: { ...counters.readProbes },
    refusedConnections: { ...counters.refusedConnections },
  };
}
