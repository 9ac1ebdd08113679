// How long each peer takes to answer catch-up requests, to tell a lost request from a slow one.
// Data channels deliver reliably, but a frame can still go missing (a link that drops and comes
// back, a relay path switching, a lossy test network); waiting the whole request timeout for it
// stalls a session whose only source that peer is. A request unanswered for several times the
// peer's slowest recent fetch answer is sent again once (same id: either answer is taken, the other
// is a counted duplicate), long before it times out. Only fetch answers count: they include the
// transfer of a chunk, which an availability answer (a few bytes) says nothing about, and resending
// a large chunk on a slow link too early would only double its traffic.
import type { PeerId } from '../types';

/** Answers remembered per peer: the slowest of them sets the wait. */
const SAMPLES_PER_PEER = 8;
/** A request is sent again after this many times the peer's slowest recent answer. */
const SLOWEST_ANSWER_FACTOR = 4;

export class AnswerTimes {
  private readonly samples = new Map<PeerId, number[]>();

  /** `peer` answered a fetch request `ms` after it was sent. */
  note(peer: PeerId, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const list = this.samples.get(peer) ?? [];
    list.push(ms);
    if (list.length > SAMPLES_PER_PEER) list.shift();
    this.samples.set(peer, list);
  }

  forget(peer: PeerId): void {
    this.samples.delete(peer);
  }

  /**
   * How long to wait for `peer`'s answer before sending the request again: several times its
   * slowest recent fetch answer, within [min, max]; `max` for a peer that never answered a fetch.
   */
  resendAfter(peer: PeerId, min: number, max: number): number {
    const list = this.samples.get(peer);
    if (!list || list.length === 0) return max;
    return Math.min(max, Math.max(min, SLOWEST_ANSWER_FACTOR * Math.max(...list)));
  }
}
