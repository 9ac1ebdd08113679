// When the session asks peers again what they can serve (an AvailabilityRequest; answers are
// taken only for open questions, availability.ts). A session that never re-asks stalls: peers
// advance their commit, compact their logs and lose messages. So every connected peer is asked
// again at most once per request timeout while part of the gap is held by no known peer (or the
// snapshot being fetched lost its holders); a peer is asked again at once when it answers a range
// it offered with nothing, and when its question stays unanswered for a quarter of the timeout.
import type { PeerId } from '../types';
import type { AvailabilityTable } from './availability';
import { type ClaimedRanges, hasUncoveredNeed } from './chunk-plan';
import type { SnapshotPhase } from './snapshot-phase';

/** What AvailabilityRefresh uses of the session: its peers and target, what is known and claimed, and asking. */
export interface AvailabilityRefreshHost {
  readonly connected: ReadonlySet<PeerId>;
  /** Last index the session fetches. */
  readonly target: number;
  readonly requestTimeoutMs: number;
  /** Time of the latest input. */
  readonly lastNow: number;
  readonly availability: AvailabilityTable;
  readonly claims: ClaimedRanges[];
  readonly snapshotPhase: Pick<SnapshotPhase, 'stalled'>;
  /** Sends `peer` an availability question. */
  askAvailability(peer: PeerId): void;
}

export class AvailabilityRefresh {
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  /** When each peer was last asked for availability because it answered a fetch empty. */
  private readonly reaskedAt = new Map<PeerId, number>();

  constructor(private readonly session: AvailabilityRefreshHost) {}

  /** Asks every connected peer. */
  askEveryone(now: number): void {
    this.lastRefreshAt = now;
    for (const peer of this.session.connected) this.session.askAvailability(peer);
  }

  /**
   * At most once per request timeout: asks everyone again when the snapshot being fetched has no
   * holder left, or some index of [lo, target] still to fetch is held by no known peer.
   */
  askEveryoneIfStalled(now: number, lo: number): void {
    const s = this.session;
    if (now - this.lastRefreshAt < s.requestTimeoutMs) return;
    if (s.snapshotPhase.stalled() || hasUncoveredNeed(s.claims, s.availability, lo, s.target)) this.askEveryone(now);
  }

  /**
   * An honest peer answers a range it offered with nothing only when it compacted the log since
   * (committed entries never go away otherwise); it then offers a newer snapshot. Ask it again at
   * once instead of at the next refresh, or a catch-up racing the leader's compaction waits a whole
   * request timeout. At most once per request timeout per peer, so a peer that keeps offering and
   * answering empty costs no more than the periodic refresh would.
   */
  reaskAfterEmpty(peer: PeerId): void {
    const s = this.session;
    const last = this.reaskedAt.get(peer) ?? Number.NEGATIVE_INFINITY;
    if (!s.connected.has(peer) || s.lastNow - last < s.requestTimeoutMs) return;
    this.reaskedAt.set(peer, s.lastNow);
    s.askAvailability(peer);
  }

  /**
   * An availability question is tiny and answered at once; one unanswered for a quarter of the
   * request timeout was most likely lost. Asking again then costs a few bytes, while waiting for
   * the next refresh would stall a session whose only source it is for a whole request timeout.
   */
  reaskUnanswered(now: number): void {
    const s = this.session;
    for (const peer of s.connected) {
      const asked = s.availability.openSince(peer);
      if (asked !== undefined && now - asked >= s.requestTimeoutMs / 4) s.askAvailability(peer);
    }
  }
}
