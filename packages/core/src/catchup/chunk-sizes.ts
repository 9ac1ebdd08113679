// How many entries the next chunk to each peer may hold: adapted per peer, halved when a chunk was
// too much and doubled back after fast answers (AIMD-like, both steps multiplicative).
//
// Chunks count entries, but what fails is bytes: a chunk whose answer is larger than the transport
// carries in one message (the mesh refuses messages over its cap, 16 MiB by default) is never
// delivered, and one that takes longer than the request timeout to cross a slow link always arrives
// after its request timed out. Asking again for the same size would fail again, forever. So:
//
// - a request that times out halves its peer's chunk size (to half the size of that request, floor
//   one entry; never raising it);
// - GROW_AFTER_FAST_ANSWERS full answers in a row to requests of the peer's whole chunk size, each
//   fast enough that a chunk twice as large is expected back within half the request timeout (where
//   answer-times.ts would send it a second time), double it, up to batchSize. Expected: the peer's
//   round trip (its fastest availability answer: a few bytes, on the control channel) plus twice the
//   rest of the answer's time; with a short round trip, an answer within a quarter of the timeout.
//   A long round trip (up to half the timeout) alone does not keep the size down. In a row,
//   because with two requests in flight the first answer after a change crosses an idle link and
//   the next one waits behind another chunk: only the second tells what a chunk of that size costs;
// - every chunk also stays within CHUNK_BYTES_BUDGET at the average entry size of the answers so
//   far, so once entries are known to be large no peer is asked for a chunk the transport refuses;
// - before any answer, the entry size comes from the requester (its own latest entries, or the
//   leader's appends buffered meanwhile); knowing none, chunks hold at most FIRST_CHUNK_ENTRIES
//   until an answer tells it. A first wave of whole batches of large entries (2,000 of 10 KB are
//   20 MiB) used to be refused by the transport, and cost a request timeout, or several, before a
//   single entry arrived. With small entries the probe costs one round trip.
//
// A peer answering chunks of batchSize in time keeps that size: on a fast enough link, with entries
// small enough for the byte budget, the session asks exactly what it asked before. Only timeouts and
// answers (inputs) change sizes: the session stays deterministic.
import type { PeerId } from '../types';

/** Bytes one chunk may hold, at the average entry size seen so far: a quarter of the mesh's default message cap. */
export const CHUNK_BYTES_BUDGET = 4 * 1024 * 1024;
/** Entries a chunk may hold while no answer has told the entry size yet. */
export const FIRST_CHUNK_ENTRIES = 32;
/** Fast full answers in a row that double a peer's chunk size. */
export const GROW_AFTER_FAST_ANSWERS = 2;

interface PeerChunkSize {
  limit: number;
  /** Fast full answers at this limit in a row. */
  fast: number;
}

export class ChunkSizes {
  /** Peers whose chunk size was reduced (the others use batchSize). */
  private readonly peers = new Map<PeerId, PeerChunkSize>();
  /** Each peer's fastest availability round trip. */
  private readonly roundTrips = new Map<PeerId, number>();
  private entriesSeen = 0;
  private bytesSeen = 0;

  constructor(
    private readonly batchSize: number,
    private readonly requestTimeoutMs: number,
    /** Average entry bytes known before any answer (CatchUpSessionOptions.entryBytesHint). */
    private readonly entryBytesHint?: number,
  ) {}

  /** Whether an entry size was seen (answers, or the leader's appends), beyond the hint. */
  sized(): boolean {
    return this.entriesSeen > 0;
  }

  /** Entries the next chunk asked of `peer` may hold (at least one). */
  sizeFor(peer: PeerId): number {
    return Math.max(1, Math.min(this.limitOf(peer), this.byteBound()));
  }

  /** A request of `requested` entries to `peer` timed out. */
  timedOut(peer: PeerId, requested: number): void {
    const limit = Math.max(1, Math.min(this.limitOf(peer), Math.floor(requested / 2)));
    this.peers.set(peer, { limit, fast: 0 });
  }

  /** `peer` answered a request of `requested` entries with `received` of them, `elapsedMs` after it was sent. */
  answered(peer: PeerId, requested: number, received: number, elapsedMs: number): void {
    const state = this.peers.get(peer);
    if (!state) return; // at batchSize already
    if (received < requested || requested < state.limit) return; // says little about a whole chunk
    if (!this.doubleFitsHalfTimeout(peer, elapsedMs)) {
      state.fast = 0;
      return;
    }
    if (++state.fast < GROW_AFTER_FAST_ANSWERS) return;
    const grown = state.limit * 2;
    if (grown >= this.batchSize) this.peers.delete(peer);
    else this.peers.set(peer, { limit: grown, fast: 0 });
  }

  /** `peer` answered an availability question `ms` after it was (last) asked. */
  noteRoundTrip(peer: PeerId, ms: number): void {
    if (!(ms >= 0)) return;
    const fastest = this.roundTrips.get(peer);
    if (fastest === undefined || ms < fastest) this.roundTrips.set(peer, ms);
  }

  /** Entries and their (estimated) bytes received: their average sets the byte bound. */
  noteBytes(entries: number, bytes: number): void {
    if (entries <= 0 || !(bytes >= 0)) return;
    this.entriesSeen += entries;
    this.bytesSeen += bytes;
  }

  /**
   * Whether a chunk twice as large as one answered `elapsedMs` after it was sent is expected back
   * within half the request timeout: the round trip once, the rest of the time twice.
   */
  private doubleFitsHalfTimeout(peer: PeerId, elapsedMs: number): boolean {
    if (!(elapsedMs >= 0)) return false;
    const roundTrip = Math.min(this.roundTrips.get(peer) ?? 0, elapsedMs);
    return roundTrip + 2 * (elapsedMs - roundTrip) <= this.requestTimeoutMs / 2;
  }

  private limitOf(peer: PeerId): number {
    return this.peers.get(peer)?.limit ?? this.batchSize;
  }

  private byteBound(): number {
    if (this.entriesSeen === 0) {
      const hint = this.entryBytesHint;
      return hint !== undefined ? Math.floor(CHUNK_BYTES_BUDGET / hint) : FIRST_CHUNK_ENTRIES;
    }
    if (this.bytesSeen === 0) return Number.POSITIVE_INFINITY;
    return Math.floor(CHUNK_BYTES_BUDGET / (this.bytesSeen / this.entriesSeen));
  }
}
