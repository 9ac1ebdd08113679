// Which request each idle peer gets next: entry chunks within a lookahead window past the output
// cursor, and pieces of the snapshot being fetched. Where an entry chunk starts and stops is
// chunk-plan.ts; this decides how far ahead to fetch, how large a chunk is (per peer: chunk-sizes.ts),
// how many requests each peer may have in flight, and who is asked first (the leader last: it is
// the busiest peer).
import type { PeerId } from '../types';
import type { AvailabilityTable } from './availability';
import { type ClaimedRanges, planNextChunk, rankIdlePeers } from './chunk-plan';
import type { ChunkSizes } from './chunk-sizes';
import { ENTRY_REQUESTS_PER_PEER, type FetchRequest, type InFlightRequests } from './in-flight';
import type { SnapshotFetch } from './snapshot-fetch';

/**
 * How far past the next index to output chunks may be fetched, in chunks per connected peer:
 * enough to keep every peer busy while one slow chunk is outstanding, bounded so a stuck chunk
 * cannot make the out-of-order store grow without limit.
 */
const LOOKAHEAD_CHUNKS_PER_PEER = 8;
const MIN_LOOKAHEAD_CHUNKS = 32;

/** Up to this many serving peers besides the leader, each may have two entry requests in flight. */
const PIPELINED_SOURCES = 2;

/** What ChunkScheduler uses of the session: its peers and bounds, what they hold, what is claimed, and sending. */
export interface ChunkSchedulerHost {
  readonly leader: PeerId | null;
  readonly connected: ReadonlySet<PeerId>;
  /** First index the session outputs. */
  readonly startIndex: number;
  /** Last index it fetches. */
  readonly target: number;
  readonly batchSize: number;
  readonly requestTimeoutMs: number;
  readonly availability: AvailabilityTable;
  /** Each peer's current chunk size. */
  readonly chunkSizes: Pick<ChunkSizes, 'sizeFor'>;
  readonly inFlight: Pick<InFlightRequests, 'canTake' | 'countFor'>;
  readonly claims: ClaimedRanges[];
  /** Chunks (and snapshot pieces) each peer served so far. */
  readonly served: ReadonlyMap<PeerId, number>;
  /** A request id not used before. */
  takeRequestId(): number;
  /** Records the request as in flight and sends it. */
  send(request: FetchRequest): void;
}

export class ChunkScheduler {
  constructor(private readonly session: ChunkSchedulerHost) {}

  /** Entry chunks from `lo` on, one request at a time, while an idle peer can serve an unclaimed chunk. */
  scheduleEntries(now: number, lo: number): void {
    const s = this.session;
    const lookahead = Math.max(MIN_LOOKAHEAD_CHUNKS, LOOKAHEAD_CHUNKS_PER_PEER * s.connected.size) * s.batchSize;
    const hi = Math.min(s.target, lo + lookahead - 1);
    // Chunks of each peer's chunk size (batchSize until a timeout shrinks it), but a gap smaller than
    // one batch per peer is split evenly so that several peers serve it in parallel (the leader is
    // not counted: it serves last).
    const sources = Math.max(1, this.sourcesBesideLeader());
    const evenSplit = Math.min(s.batchSize, Math.ceil((s.target - s.startIndex + 1) / sources));
    const chunkSize = (peer: PeerId) => Math.min(evenSplit, s.chunkSizes.sizeFor(peer));
    for (;;) {
      const idle = this.idlePeers(s.availability.peers(), now, 'entries');
      if (idle.length === 0) return;
      const chunk = planNextChunk({
        idle,
        leader: s.leader,
        availability: s.availability,
        claims: s.claims,
        lo,
        hi,
        chunkSize,
      });
      if (!chunk) return;
      const id = s.takeRequestId();
      s.send({ kind: 'entries', id, peer: chunk.peer, from: chunk.from, to: chunk.to, sentAt: now });
    }
  }

  /** Pieces of the snapshot being fetched, one to each idle peer among its `holders`. */
  scheduleSnapshotPieces(now: number, sf: SnapshotFetch, holders: PeerId[]): void {
    const s = this.session;
    // The leader serves pieces only when it is the sole holder.
    const sources = holders.some((p) => p !== s.leader) ? holders.filter((p) => p !== s.leader) : holders;
    for (const peer of this.idlePeers(sources, now, 'snapshot')) {
      const piece = sf.nextPiece();
      if (!piece) return;
      sf.assign(piece.piece);
      const id = s.takeRequestId();
      const { index, term } = sf.target;
      s.send({ kind: 'snapshot', id, peer, index, term, size: sf.target.size, ...piece, sentAt: now });
    }
  }

  /**
   * Entry requests each peer may have in flight: two while at most PIPELINED_SOURCES peers besides
   * the leader serve (the second hides a lone source's round trip), one each beyond that (several
   * sources keep this peer busy already, and more requests only crowd it: in the browser, 4
   * sources with 2 each were slower than with 1 each).
   */
  private entryRequestsPerPeer(): number {
    return this.sourcesBesideLeader() <= PIPELINED_SOURCES ? ENTRY_REQUESTS_PER_PEER : 1;
  }

  /** Connected peers other than the leader: the ones that serve first. */
  private sourcesBesideLeader(): number {
    const s = this.session;
    let sources = 0;
    for (const p of s.connected) if (p !== s.leader) sources++;
    return sources;
  }

  /** Peers that can take a request of `kind` now, best first: fewer requests in flight, then rankIdlePeers. */
  private idlePeers(candidates: PeerId[], now: number, kind: FetchRequest['kind']): PeerId[] {
    const s = this.session;
    // The leader is asked last: not even while another peer's first availability answer is due.
    const leaderWaits = [...s.connected].some((p) => p !== s.leader && s.availability.awaitingFirstAnswer(p, now - s.requestTimeoutMs));
    const perPeer = this.entryRequestsPerPeer();
    const idle = candidates.filter((p) => s.connected.has(p) && s.inFlight.canTake(p, kind, perPeer) && !(leaderWaits && p === s.leader));
    const ranked = rankIdlePeers(idle, s.leader, (p) => s.served.get(p) ?? 0);
    return ranked.sort((a, b) => s.inFlight.countFor(a) - s.inFlight.countFor(b));
  }
}
