// Fetching one snapshot in fixed-size byte pieces from the peers that advertise it (same index,
// term and size), then assembling it. Used when the entries this peer needs were compacted away
// everywhere (Raft §7: InstallSnapshot, here pulled in chunks from several peers at once).
import type { Snapshot } from '../types';
import type { AdvertisedSnapshot } from './availability';

export interface SnapshotPiece {
  piece: number;
  offset: number;
  length: number;
}

export class SnapshotFetch {
  readonly target: AdvertisedSnapshot;
  readonly pieceCount: number;
  private readonly received = new Map<number, Uint8Array>();
  private readonly assigned = new Set<number>();
  /** Pieces below this were handed out at least once; released ones are retried from `released`. */
  private nextFresh = 0;
  private readonly released: number[] = [];
  private receivedBytes = 0;

  constructor(target: AdvertisedSnapshot, private readonly chunkBytes: number) {
    this.target = target;
    this.pieceCount = Math.ceil(target.size / chunkBytes);
  }

  get bytesReceived(): number {
    return this.receivedBytes;
  }

  get complete(): boolean {
    return this.received.size === this.pieceCount;
  }

  pieceAt(piece: number): SnapshotPiece {
    const offset = piece * this.chunkBytes;
    return { piece, offset, length: Math.min(this.chunkBytes, this.target.size - offset) };
  }

  /** Lowest piece neither received nor in flight (retries first: they hold back assembly). */
  nextPiece(): SnapshotPiece | null {
    this.released.sort((a, b) => a - b);
    while (this.released.length > 0) {
      const piece = this.released.shift()!;
      if (!this.received.has(piece) && !this.assigned.has(piece)) return this.pieceAt(piece);
    }
    if (this.nextFresh < this.pieceCount) return this.pieceAt(this.nextFresh);
    return null;
  }

  assign(piece: number): void {
    this.assigned.add(piece);
    if (piece === this.nextFresh) this.nextFresh++;
  }

  /** The request for `piece` failed: fetch it again later. */
  release(piece: number): void {
    if (this.assigned.delete(piece) && !this.received.has(piece)) this.released.push(piece);
  }

  /** Stores a piece's bytes; false (the piece is retried later) when the length is not the piece's. */
  accept(piece: number, data: Uint8Array): boolean {
    if (this.received.has(piece) || data.length !== this.pieceAt(piece).length) {
      this.release(piece);
      return false;
    }
    this.assigned.delete(piece);
    this.received.set(piece, data);
    this.receivedBytes += data.length;
    return true;
  }

  /** Requests in flight will not be waited for (the fetch is paused): their pieces go back to the queue. */
  releaseAssigned(): void {
    for (const piece of this.assigned) if (!this.received.has(piece)) this.released.push(piece);
    this.assigned.clear();
  }

  assemble(): Snapshot {
    const data = new Uint8Array(this.target.size);
    for (const [piece, bytes] of this.received) data.set(bytes, piece * this.chunkBytes);
    const { index, term, membership } = this.target;
    return { meta: { index, term, membership }, data };
  }
}

/** How many part-fetched snapshots a session keeps to resume (the newest ones). */
const MAX_PAUSED = 4;

/** Part-fetched snapshots, by what identifies one (index, term and size: the holders' advertisement). */
export class PausedSnapshotFetches {
  private readonly byKey = new Map<string, SnapshotFetch>();

  pause(fetch: SnapshotFetch): void {
    fetch.releaseAssigned();
    const key = keyOf(fetch.target);
    this.byKey.delete(key);
    this.byKey.set(key, fetch);
    while (this.byKey.size > MAX_PAUSED) this.byKey.delete(this.byKey.keys().next().value as string);
  }

  /** The paused fetch of `target`, taken out; undefined when there is none. */
  resume(target: AdvertisedSnapshot): SnapshotFetch | undefined {
    const key = keyOf(target);
    const fetch = this.byKey.get(key);
    this.byKey.delete(key);
    return fetch;
  }

  clear(): void {
    this.byKey.clear();
  }
}

const keyOf = (target: AdvertisedSnapshot): string => `${target.index}:${target.term}:${target.size}`;
