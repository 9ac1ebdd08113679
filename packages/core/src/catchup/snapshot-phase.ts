// Snapshot mode (Raft §7): nobody holds the next needed entry any more (compacted), but some
// peers advertise a snapshot covering it. The session then fetches the newest such snapshot, in
// pieces (ChunkScheduler.scheduleSnapshotPieces); entries after it are fetched meanwhile by peers
// that are not busy with snapshot pieces. This decides when to enter, leave and finish that phase.
import type { PeerId } from '../types';
import type { AvailabilityTable } from './availability';
import type { FetchRequest, InFlightRequests } from './in-flight';
import type { OrderedOutput } from './ordered-output';
import { PausedSnapshotFetches, SnapshotFetch } from './snapshot-fetch';

/** What SnapshotPhase uses of the session: its peers and target, what they hold, and its output. */
export interface SnapshotPhaseHost {
  readonly connected: ReadonlySet<PeerId>;
  /** Last index the session fetches. */
  readonly target: number;
  readonly requestTimeoutMs: number;
  readonly availability: Pick<AvailabilityTable, 'anyCovers' | 'bestSnapshot' | 'awaitingFirstAnswer' | 'snapshotHolders'>;
  readonly inFlight: Pick<InFlightRequests, 'all' | 'claimEnd'>;
  readonly out: Pick<OrderedOutput, 'cursor' | 'leaderBuffer' | 'pushSnapshot'>;
  /** Hands out what is contiguous now (the snapshot goes first). */
  drain(): void;
}

export class SnapshotPhase {
  private fetching: SnapshotFetch | null = null;
  /**
   * Snapshots left part-fetched when their holders went quiet (a timeout forgets what a peer
   * advertised until it answers again): switching back resumes them instead of starting over, so
   * two flaky holders of different snapshots cannot keep each other's progress at zero.
   */
  private readonly pausedSnapshots = new PausedSnapshotFetches();

  constructor(
    private readonly session: SnapshotPhaseHost,
    private readonly snapshotChunkBytes: number,
  ) {}

  /** The snapshot being fetched, or null while the session fetches the log. */
  get current(): SnapshotFetch | null {
    return this.fetching;
  }

  /**
   * Fetch the newest snapshot covering the next index once no peer holds that entry; while one is
   * fetched and no holder of it is left, switch back to the log or to another snapshot.
   */
  consider(now: number): void {
    const s = this.session;
    const current = this.fetching;
    if (current) {
      if (this.holders(current).length > 0 || s.inFlight.all().some((r) => r.kind === 'snapshot')) return;
      // No holder left: switch to the log if someone holds it again, or to another snapshot;
      // otherwise keep the pieces fetched so far and wait (schedule() asks availability again).
      if (!s.availability.anyCovers(s.out.cursor) && !s.availability.bestSnapshot(s.out.cursor)) return;
      this.pausedSnapshots.pause(current);
      this.fetching = null;
    }
    const c = s.out.cursor;
    if (c > s.target || s.out.leaderBuffer.runs.has(c) || s.inFlight.claimEnd(c) !== null) return;
    if (s.availability.anyCovers(c)) return;
    // Choose only once every peer asked has answered (or had its time): a peer answering later
    // may still hold the entries, or a newer snapshot.
    const since = now - s.requestTimeoutMs;
    if ([...s.connected].some((p) => s.availability.awaitingFirstAnswer(p, since))) return;
    const best = s.availability.bestSnapshot(c);
    if (!best) return;
    const sf = this.pausedSnapshots.resume(best) ?? new SnapshotFetch(best, this.snapshotChunkBytes);
    this.fetching = sf;
    if (sf.complete) this.install(sf); // an empty snapshot: nothing to fetch
  }

  /** Connected peers advertising exactly the snapshot being fetched. */
  holders(sf: SnapshotFetch): PeerId[] {
    return this.session.availability.snapshotHolders(sf.target);
  }

  /** A snapshot is being fetched and no peer advertises it any more. */
  stalled(): boolean {
    return this.fetching !== null && this.holders(this.fetching).length === 0;
  }

  /** A request is forgotten without an answer: a piece of the snapshot being fetched is fetched again later. */
  release(request: FetchRequest): void {
    const sf = this.fetching;
    if (request.kind === 'snapshot' && sf && sf.target.index === request.index && sf.target.term === request.term) {
      sf.release(request.piece);
    }
  }

  /** Every piece arrived: the snapshot goes out first, and the log continues after it. */
  install(sf: SnapshotFetch): void {
    this.fetching = null;
    this.pausedSnapshots.clear();
    this.session.out.pushSnapshot(sf.assemble());
    this.session.drain();
  }
}
