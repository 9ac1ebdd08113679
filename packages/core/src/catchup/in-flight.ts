// Fetch requests in flight, by request id and by peer. A peer has at most two entry requests in
// flight (the second overlaps the peer's encoding of one chunk with the transfer and decoding of
// the other: with one request, a lone source idled half of every round trip), the second only
// while few peers serve, or one snapshot piece; so one slow peer holds back at most two chunks,
// and no peer is flooded while it serves others too.
import type { FetchEntriesRequest, FetchSnapshotRequest } from '../messages';
import type { PeerId } from '../types';

export interface EntriesRequest {
  kind: 'entries';
  id: number;
  peer: PeerId;
  from: number;
  to: number;
  sentAt: number;
  /** Sent a second time already (see answer-times.ts). */
  resent?: boolean;
}

export interface SnapshotChunkRequest {
  kind: 'snapshot';
  id: number;
  peer: PeerId;
  index: number;
  term: number;
  /** The advertised size of the snapshot the piece is of (two snapshots may share index and term). */
  size: number;
  piece: number;
  offset: number;
  length: number;
  sentAt: number;
  /** Sent a second time already (see answer-times.ts). */
  resent?: boolean;
}

export type FetchRequest = EntriesRequest | SnapshotChunkRequest;

/** The wire message asking for `request` (sent again under the same id when it is overdue). */
export function requestMessage(request: FetchRequest): FetchEntriesRequest | FetchSnapshotRequest {
  return request.kind === 'entries'
    ? { type: 'FetchEntriesRequest', requestId: request.id, from: request.from, to: request.to }
    : { type: 'FetchSnapshotRequest', requestId: request.id, index: request.index, term: request.term, offset: request.offset, length: request.length };
}

/** Entry requests one peer may have in flight at once (see ChunkScheduler.entryRequestsPerPeer). */
export const ENTRY_REQUESTS_PER_PEER = 2;

export class InFlightRequests {
  private readonly byId = new Map<number, FetchRequest>();
  private readonly byPeer = new Map<PeerId, FetchRequest[]>();

  get size(): number {
    return this.byId.size;
  }

  /** Whether `peer` can take a request of this kind now, with at most `entriesPerPeer` entry requests each. */
  canTake(peer: PeerId, kind: FetchRequest['kind'], entriesPerPeer = ENTRY_REQUESTS_PER_PEER): boolean {
    const requests = this.byPeer.get(peer) ?? [];
    if (requests.length === 0) return true;
    if (kind === 'snapshot' || requests.some((r) => r.kind === 'snapshot')) return false;
    return requests.length < Math.min(entriesPerPeer, ENTRY_REQUESTS_PER_PEER);
  }

  /** How many requests `peer` has in flight. */
  countFor(peer: PeerId): number {
    return this.byPeer.get(peer)?.length ?? 0;
  }

  add(request: FetchRequest): void {
    if (!this.canTake(request.peer, request.kind, ENTRY_REQUESTS_PER_PEER)) throw new Error(`peer ${request.peer} cannot take another ${request.kind} request now`);
    this.byId.set(request.id, request);
    this.byPeer.set(request.peer, [...this.forPeer(request.peer), request]);
  }

  get(id: number): FetchRequest | undefined {
    return this.byId.get(id);
  }

  forPeer(peer: PeerId): FetchRequest[] {
    return this.byPeer.get(peer) ?? [];
  }

  remove(request: FetchRequest): void {
    if (this.byId.get(request.id) !== request) return;
    this.byId.delete(request.id);
    const rest = this.forPeer(request.peer).filter((r) => r !== request);
    if (rest.length > 0) this.byPeer.set(request.peer, rest);
    else this.byPeer.delete(request.peer);
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

/** Timed-out entry requests remembered for their late answers (the oldest is forgotten first). */
const TIMED_OUT_REMEMBERED = 32;

/**
 * Entry requests that timed out lately, so that their answer, arriving late, can still be used
 * (reply-intake.ts): on a link slower than a chunk per request timeout every answer is late, and
 * dropping them all would make no progress. A request is taken once: a second copy (it may have been
 * sent twice) is ignored like any duplicate.
 */
export class TimedOutRequests {
  private readonly byId = new Map<number, EntriesRequest>();

  add(request: EntriesRequest): void {
    this.byId.delete(request.id);
    this.byId.set(request.id, request);
    if (this.byId.size > TIMED_OUT_REMEMBERED) this.byId.delete(this.byId.keys().next().value as number);
  }

  /** The timed-out request `peer` was asked under `id`, forgotten as it is returned; or undefined. */
  take(id: number, peer: PeerId): EntriesRequest | undefined {
    const request = this.byId.get(id);
    if (!request || request.peer !== peer) return undefined;
    this.byId.delete(id);
    return request;
  }

  /** The peer left: its answers no longer arrive. */
  forget(peer: PeerId): void {
    for (const [id, request] of this.byId) if (request.peer === peer) this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }
}
