// Who is in which room, as a join sees it. One process: the in-memory registry. Several processes:
// a directory in Redis (redis-presence.ts). Both register the joiner only after the duplicate and
// room-size checks, and both report how long they have been continuously up (`uptimeMs`): a
// directory that restarted recently may not know every peer yet, and the joiner must not mistake
// that for an empty room.

import type { RoomRegistry } from './room-registry';

export type PresenceJoin =
  | { ok: true; peers: string[]; uptimeMs: number }
  | { ok: false; error: 'duplicate-peer' | 'room-full' | 'unavailable' };

export interface PresenceDirectory {
  /** Checks for a duplicate id and a full room, then registers the joiner (atomically). */
  join(room: string, peerId: string, socketId: string): Promise<PresenceJoin>;
  /**
   * A peer's socket went away while this process keeps running. Returns true when that socket
   * was the peer's registration here, so the room must hear `peer-left`.
   */
  leave(room: string, peerId: string, socketId: string): boolean;
  /**
   * This process is shutting down: forget the socket locally but keep the peer in the shared
   * directory (it re-registers through another process, or expires with this process).
   */
  forget(room: string, peerId: string, socketId: string): void;
  /** Stops background work (Redis heartbeats); never removes peers. */
  stop(): Promise<void>;
}

export class LocalPresenceDirectory implements PresenceDirectory {
  private readonly startedMs: number;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly maxPeersPerRoom: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedMs = now();
  }

  async join(room: string, peerId: string, socketId: string): Promise<PresenceJoin> {
    const peers = this.registry.peersOf(room);
    if (peers.includes(peerId)) return { ok: false, error: 'duplicate-peer' };
    if (peers.length >= this.maxPeersPerRoom) return { ok: false, error: 'room-full' };
    this.registry.add(room, peerId, socketId);
    return { ok: true, peers, uptimeMs: Math.floor(this.now() - this.startedMs) };
  }

  leave(room: string, peerId: string, socketId: string): boolean {
    return this.registry.remove(room, peerId, socketId);
  }

  forget(room: string, peerId: string, socketId: string): void {
    this.registry.remove(room, peerId, socketId);
  }

  async stop(): Promise<void> {}
}
