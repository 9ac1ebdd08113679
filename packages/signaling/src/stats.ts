// Counters exposed by SignalingServer.stats(). Every refused or dropped inbound message is counted
// exactly once: join refusals in `rejectedJoins`, everything else in `dropped`.

import type { DropReason, JoinError, LimitError } from './protocol';

export type JoinRefusal = Exclude<JoinError, LimitError>;

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
  };
}

export function snapshotCounters(counters: MutableCounters): MutableCounters {
  return {
    ...counters,
    dropped: { ...counters.dropped },
    rejectedJoins: { ...counters.rejectedJoins },
  };
}
