// Contract of EngineHost: what it is built with, how it closes, and what it counts.
import type { RaftConfig } from '../config';
import type { LogTail, RaftEngine, RaftNodeOptions, Ready } from '../engine/api';
import type { Storage } from '../storage';
import type { LeadershipPreference, Membership, PeerId, Random, RaftStatus } from '../types';
import type { Clock } from './clock';
import type { PeerTransport } from './peer-transport';
import type { HostPort } from './protocol';

export interface EngineHostOptions {
  id: PeerId;
  storage: Storage;
  transport: PeerTransport;
  /** The host's end of the channel to the GroupClient. */
  port: HostPort;
  clock: Clock;
  random: Random;
  config?: Partial<RaftConfig>;
  preference?: LeadershipPreference;
  /** Membership to start from when the stored log is empty (ignored once a log exists). */
  bootstrap?: Membership;
  /** Re-found the group on the stored log as its only voter (RaftNodeOptions.refound). */
  refound?: boolean;
  /** Entries of another copy of the log on this device that continue the stored one (RaftNodeOptions.logTail). */
  logTail?: LogTail;
  /** Builds the engine; defaults to createRaftEngine (a RaftNode). Lets tests substitute an engine. */
  createEngine?: (options: RaftNodeOptions) => RaftEngine;
  /** Called with unexpected failures (storage errors) before the host stops. */
  onError?: (error: unknown) => void;
  /**
   * Called with every status the engine reports (and once at start). The runtime watches
   * `status.removed` here: a removed peer can never rejoin under its id.
   */
  onStatus?: (status: RaftStatus) => void;
  /** How long close({ leave: true }) waits to be removed; default 2 x (electionTimeoutMs + electionJitterMs). */
  leaveTimeoutMs?: number;
  /**
   * Called with every Ready before any of its messages is sent (e.g. to keep Ready.departure where a
   * closing tab can send it, ahead of that Ready's frames).
   */
  onReady?: (ready: Ready) => void;
  /** Called after each Ready's messages and client notices went out (e.g. to flush batched frames). */
  afterSend?: () => void;
}

export interface HostCloseOptions {
  /** Leave the group through the log first (engine.leave), waiting until removed or leaveTimeoutMs. */
  leave?: boolean;
  /** Post 'closed' to the client (default true). False when another host takes over the same port. */
  notify?: boolean;
}

/** Counters for observation in tests and the cluster panel. */
export interface EngineHostStats {
  readies: number;
  persists: number;
  messagesSent: number;
  /** Messages sent before their Ready's batch was durable (a leader's appends and heartbeats). */
  messagesSentEarly: number;
  /** Batches that only moved the stored commit index, written without holding up the loop. */
  backgroundPersists: number;
  /** Messages that arrived before start() finished or after the host stopped. */
  messagesDropped: number;
  ticks: number;
  /** Snapshot requests passed to the client, snapshots handed to the engine, and declines. */
  snapshotRequests: number;
  snapshotsTaken: number;
  snapshotsDeclined: number;
  /** close({ leave }) outcome: removed through the log, or gave up after leaveTimeoutMs. */
  leaves: number;
  leaveTimeouts: number;
}
