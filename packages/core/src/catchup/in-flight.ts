// Fetch requests in flight, by request id and by peer: at most one per peer, so one slow peer can
// hold back at most one chunk, and no peer is flooded while it serves others too.
import type { PeerId } from '../types';

export interface EntriesRequest {
  kind: 'entries';
  id: number;
  peer: PeerId;
  from: number;
  to: number;
  sentAt: number;
}

export interface SnapshotChunkRequest {
  kind: 'snapshot';
  id: number;
  peer: PeerId;
  index: number;
  term: number;
  piece: number;
  offset: number;
  length: number;
  sentAt: number;
}

export type FetchRequest = EntriesRequest | SnapshotChunkRequest;

export class InFlightRequests {
  private readonly byId = new Map<number, FetchRequest>();
  private readonly byPeer = new Map<PeerId, FetchRequest>();

  get size(): number {
    return this.byId.size;
  }

  isBusy(peer: PeerId): boolean {
    return this.byPeer.has(peer);
  }

  add(request: FetchRequest): void {
    if (this.byPeer.has(request.peer)) throw new Error(`peer ${request.peer} already has a request in flight`);
    this.byId.set(request.id, request);
    this.byPeer.set(request.peer, request);
  }

  get(id: number): FetchRequest | undefined {
    return this.byId.get(id);
  }

  forPeer(peer: PeerId): FetchRequest | undefined {
    return this.byPeer.get(peer);
  }

  remove(request: FetchRequest): void {
    this.byId.delete(request.id);
    if (this.byPeer.get(request.peer) === request) this.byPeer.delete(request.peer);
  }

  /** Requests sent at or before `deadline`. */
  olderThan(deadline: number): FetchRequest[] {
    const old: FetchRequest[] = [];
    for (const request of this.byId.values()) if (request.sentAt <= deadline) old.push(request);
    return old;
  }

  all(): FetchRequest[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
    this.byPeer.clear();
  }

  // ---- the chunk planner's view of in-flight entry ranges ----

  claimEnd(index: number): number | null {
    for (const r of this.byId.values()) if (r.kind === 'entries' && r.from <= index && index <= r.to) return r.to;
    return null;
  }

  nextClaimStart(index: number): number | null {
    let best: number | null = null;
    for (const r of this.byId.values()) {
      if (r.kind === 'entries' && r.from > index && (best === null || r.from < best)) best = r.from;
    }
    return best;
  }
}
