// Presence directory kept in Redis, shared by every signaling process (scripts and key layout in
// redis-presence-scripts.ts). It outlives any one process: when a process stops or crashes, its
// peers stay listed until its liveness key expires (presenceTtlMs), and a peer that reconnects
// through any process takes its own entry over once no socket of it is connected anywhere.

import { randomBytes } from 'node:crypto';
import { describeError, settleWithin } from './deadline';
import type { SignalingLogger } from './options';
import type { PresenceDirectory, PresenceJoin } from './presence-directory';
import {
  EPOCH_KEY,
  HEARTBEAT_SCRIPT,
  JOIN_SCRIPT,
  LEAVE_SCRIPT,
  PROCESS_KEY_PREFIX,
  RESTORE_SCRIPT,
  roomDirectoryKey,
} from './redis-presence-scripts';
import type { RoomRegistry } from './room-registry';

/** Runs a Lua script (EVAL) and resolves with its raw reply. */
export type RedisScriptRunner = (script: string, keys: string[], args: string[]) => Promise<unknown>;

export interface RedisPresenceDeps {
  runScript: RedisScriptRunner;
  /** This process's sockets: re-registered in Redis when Redis lost them. */
  registry: RoomRegistry;
  maxPeersPerRoom: number;
  ttlMs: number;
  /** Deadline of one join's Redis work (presenceTimeoutMs). */
  timeoutMs: number;
  /** Registers a callback for each reconnection of the script connection to Redis. */
  onReconnect?(listener: () => void): void;
  /** Is a socket of this peer connected on any process? null when not all could be asked in time. */
  peerConnectedAnywhere(room: string, peerId: string): Promise<boolean | null>;
  logger: SignalingLogger;
}

type JoinReply =
  | { status: 'ok'; uptimeMs: number; peers: string[] }
  | { status: 'taken'; uptimeMs: number; holder: string }
  | { status: 'full'; uptimeMs: number };

function parseJoinReply(reply: unknown): JoinReply {
  if (!Array.isArray(reply) || typeof reply[1] !== 'number') throw new Error('malformed presence reply');
  const [status, uptimeMs, extra] = reply as [unknown, number, unknown];
  if (status === 'ok' && Array.isArray(extra)) {
    return { status, uptimeMs, peers: extra.filter((id): id is string => typeof id === 'string') };
  }
  if (status === 'taken' && typeof extra === 'string') return { status, uptimeMs, holder: extra };
  if (status === 'full') return { status, uptimeMs };
  throw new Error('malformed presence reply');
}

const peerSlot = (room: string, peerId: string): string => `${room}\n${peerId}`;

export class RedisPresenceDirectory implements PresenceDirectory {
  /** Identifies this process's entries; fresh on every start. */
  readonly pid = randomBytes(8).toString('hex');
  private readonly processKey = `${PROCESS_KEY_PREFIX}${this.pid}`;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeatInFlight = false;
  /** Sequence number of the last script sent (see the process key in redis-presence-scripts.ts). */
  private seq = 0;
  /** A restore failed half-way: the next heartbeat restores again, whatever Redis says. */
  private restorePending = false;
  private readonly ttlArg: string;
  /** Joins between their checks and their registration: a second one for the same id is a duplicate. */
  private readonly claiming = new Set<string>();
  /** Removals that failed (Redis down); retried after the next successful heartbeat. */
  private readonly pendingLeaves = new Map<string, { room: string; peerId: string }>();
  /** Ids whose unanswered join (see undoUnanswered) waits for the join of that id in flight to end. */
  private readonly undoAfterClaim = new Set<string>();

  constructor(private readonly deps: RedisPresenceDeps) {
    this.ttlArg = String(Math.ceil(deps.ttlMs));
  }

  /** Registers this process (throws when Redis does not answer) and starts heartbeating. */
  async start(): Promise<void> {
    const first = await settleWithin(this.heartbeatOnce(true), this.deps.timeoutMs, 'presence heartbeat');
    if (!first.ok) throw first.error instanceof Error ? first.error : new Error(String(first.error));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(50, this.deps.ttlMs / 3));
    this.heartbeatTimer.unref();
    // Redis may be back from a restart that lost (or rolled back) this process's writes: check
    // at once rather than at the next tick, so the epoch restarts before joins rely on it.
    this.deps.onReconnect?.(() => {
      if (this.heartbeatTimer !== null) void this.heartbeat();
    });
  }

  async stop(): Promise<void> {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  async join(room: string, peerId: string, socketId: string): Promise<PresenceJoin> {
    const slot = peerSlot(room, peerId);
    if (this.deps.registry.has(room, peerId) || this.claiming.has(slot)) return { ok: false, error: 'duplicate-peer' };
    this.claiming.add(slot);
    try {
      const work = this.claim(room, peerId);
      const settled = await settleWithin(work, this.deps.timeoutMs, 'presence lookup');
      if (!settled.ok) {
        this.deps.logger.warn('cannot reach the presence directory; refusing join as unavailable', {
          error: describeError(settled.error),
        });
        // The claim may still land once Redis answers, or may have run with its reply lost: undo
        // it, the joiner was told 'unavailable'.
        work.then(
          (late) => {
            if (late.ok) this.undoUnanswered(room, peerId);
          },
          () => this.undoUnanswered(room, peerId),
        );
        return { ok: false, error: 'unavailable' };
      }
      const outcome = settled.value;
      if (outcome.ok) this.deps.registry.add(room, peerId, socketId);
      return outcome;
    } finally {
      this.claiming.delete(slot);
      if (this.undoAfterClaim.delete(slot)) this.undoUnanswered(room, peerId);
    }
  }

  /**
   * Removes the entry an unanswered join of `peerId` may have written, unless the peer is registered
   * here by now. While another join of that id is in flight (the client asked again), its outcome
   * decides instead: removing now could delete the entry that join is taking over, leaving a
   * registered peer out of every other process's answers for as long as it stays connected.
   */
  private undoUnanswered(room: string, peerId: string): void {
    const slot = peerSlot(room, peerId);
    if (this.claiming.has(slot)) this.undoAfterClaim.add(slot);
    else if (!this.deps.registry.has(room, peerId)) this.removeEntry(room, peerId);
  }

  leave(room: string, peerId: string, socketId: string): boolean {
    if (!this.deps.registry.remove(room, peerId, socketId)) return false;
    this.removeEntry(room, peerId);
    return true;
  }

  forget(room: string, peerId: string, socketId: string): void {
    this.deps.registry.remove(room, peerId, socketId);
  }

  private async claim(room: string, peerId: string): Promise<PresenceJoin> {
    let reply = await this.runJoin(room, peerId, '');
    if (reply.status === 'taken') {
      // Another registration of this id exists. It is stale if no socket of the peer is connected
      // anywhere (its socket closed, or its process crashed and its key has not expired yet).
      if (reply.holder !== this.pid) {
        const connected = await this.deps.peerConnectedAnywhere(room, peerId);
        if (connected === null) return { ok: false, error: 'unavailable' };
        if (connected) return { ok: false, error: 'duplicate-peer' };
      }
      reply = await this.runJoin(room, peerId, reply.holder);
      if (reply.status === 'taken') return { ok: false, error: 'duplicate-peer' }; // re-registered meanwhile
    }
    if (reply.status === 'full') return { ok: false, error: 'room-full' };
    return { ok: true, peers: reply.peers, uptimeMs: reply.uptimeMs };
  }

  private async runJoin(room: string, peerId: string, takeoverFrom: string): Promise<JoinReply> {
    const reply = await this.deps.runScript(
      JOIN_SCRIPT,
      [EPOCH_KEY, roomDirectoryKey(room), this.processKey],
      [peerId, this.pid, String(this.deps.maxPeersPerRoom), takeoverFrom, PROCESS_KEY_PREFIX, ...this.chain(), this.ttlArg],
    );
    return parseJoinReply(reply);
  }

  private removeEntry(room: string, peerId: string): void {
    const keys = [roomDirectoryKey(room), this.processKey];
    this.deps.runScript(LEAVE_SCRIPT, keys, [peerId, this.pid, ...this.chain(), this.ttlArg]).then(
      () => this.pendingLeaves.delete(peerSlot(room, peerId)),
      (error: unknown) => {
        this.pendingLeaves.set(peerSlot(room, peerId), { room, peerId });
        this.deps.logger.warn('cannot remove a peer from the presence directory; will retry', {
          error: describeError(error),
        });
      },
    );
  }

  /** [expectedSeq, seq] of the next script: scripts run in the order sent, on one connection. */
  private chain(): [string, string] {
    this.seq += 1;
    return [String(this.seq - 1), String(this.seq)];
  }

  /** True when Redis still holds everything this process wrote (see HEARTBEAT_SCRIPT). */
  private async heartbeatOnce(first = false): Promise<boolean> {
    const args = [...this.chain(), this.ttlArg, first ? '1' : '0'];
    return (await this.deps.runScript(HEARTBEAT_SCRIPT, [EPOCH_KEY, this.processKey], args)) === 1;
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight) return; // Redis is slow or down: one pending heartbeat is enough
    this.heartbeatInFlight = true;
    try {
      const intact = await this.heartbeatOnce();
      if (!intact || this.restorePending) await this.restore();
      for (const { room, peerId } of this.pendingLeaves.values()) {
        const slot = peerSlot(room, peerId);
        if (this.deps.registry.has(room, peerId)) this.pendingLeaves.delete(slot); // back again
        else if (this.claiming.has(slot)) {
          // Joining again: that join's outcome decides (see undoUnanswered).
          this.pendingLeaves.delete(slot);
          this.undoAfterClaim.add(slot);
        } else this.removeEntry(room, peerId);
      }
    } catch (error) {
      this.deps.logger.warn('presence heartbeat failed', { error: describeError(error) });
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** Redis lost some of this process's writes: register its peers again. */
  private async restore(): Promise<void> {
    this.restorePending = true;
    let written = 0;
    for (const [room, peers] of this.deps.registry.entries()) {
      const keys = [roomDirectoryKey(room), this.processKey];
      const reply = await this.deps.runScript(RESTORE_SCRIPT, keys, [this.pid, PROCESS_KEY_PREFIX, ...this.chain(), this.ttlArg, ...peers]);
      if (typeof reply === 'number') written += reply;
    }
    this.restorePending = false;
    this.deps.logger.warn('presence directory had lost writes of this process; re-registered its peers', { written });
  }
}
