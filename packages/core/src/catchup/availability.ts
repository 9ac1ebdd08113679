// Per-peer availability: the committed range [firstIndex, committed] each peer said it can serve,
// the snapshot it can serve, and which availability questions are still open (so a stale or
// unsolicited answer is not mistaken for a fresh one).
import type { PeerId, SnapshotMeta } from '../types';

export type AdvertisedSnapshot = SnapshotMeta & { size: number };

export interface PeerAvailability {
  /** First log index the peer still holds. */
  firstIndex: number;
  /** Highest committed index it serves; below firstIndex means "no entries". */
  committed: number;
  snapshot: AdvertisedSnapshot | null;
}

/** Open availability questions kept per peer: older ones are forgotten (a late answer to them is ignored). */
const MAX_OPEN_QUESTIONS = 4;

export class AvailabilityTable {
  private readonly known = new Map<PeerId, PeerAvailability>();
  private readonly open = new Map<PeerId, number[]>();
  /** When each peer was first asked, until it first answers (then it is removed). */
  private readonly firstAskedAt = new Map<PeerId, number>();
  /** When each peer was last asked. */
  private readonly lastAskedAt = new Map<PeerId, number>();
  private readonly everAnswered = new Set<PeerId>();

  noteAsked(peer: PeerId, requestId: number, now: number): void {
    const ids = this.open.get(peer) ?? [];
    ids.push(requestId);
    if (ids.length > MAX_OPEN_QUESTIONS) ids.shift();
    this.open.set(peer, ids);
    this.lastAskedAt.set(peer, now);
    if (!this.everAnswered.has(peer) && !this.firstAskedAt.has(peer)) this.firstAskedAt.set(peer, now);
  }

  /** While a question to the peer is open (asked, no answer yet): when it was last asked; else undefined. */
  openSince(peer: PeerId): number | undefined {
    return this.open.has(peer) ? this.lastAskedAt.get(peer) : undefined;
  }

  /**
   * Whether the peer has never answered and was first asked after `since`: its first answer is
   * still worth waiting for. (Only the first answer: re-asking a silent peer must not keep others
   * waiting forever.)
   */
  awaitingFirstAnswer(peer: PeerId, since: number): boolean {
    return !this.everAnswered.has(peer) && (this.firstAskedAt.get(peer) ?? Number.NEGATIVE_INFINITY) > since;
  }

  /** Records an answer if it matches an open question; answers to older questions are closed with it. */
  accept(peer: PeerId, requestId: number, availability: PeerAvailability): boolean {
    const ids = this.open.get(peer);
    if (!ids || !ids.includes(requestId)) return false;
    const newer = ids.filter((id) => id > requestId);
    if (newer.length > 0) this.open.set(peer, newer);
    else this.open.delete(peer);
    this.known.set(peer, availability);
    this.everAnswered.add(peer);
    this.firstAskedAt.delete(peer);
    return true;
  }

  get(peer: PeerId): PeerAvailability | undefined {
    return this.known.get(peer);
  }

  /** Forget what the peer can serve (its open questions stay open: their answers are still welcome). */
  drop(peer: PeerId): void {
    this.known.delete(peer);
  }

  /** The peer left: forget everything about it. */
  forget(peer: PeerId): void {
    this.known.delete(peer);
    this.open.delete(peer);
    this.firstAskedAt.delete(peer);
    this.everAnswered.delete(peer);
  }

  /** The peer answered less than it advertised: it serves nothing past `lastServable`. */
  shrinkCommitted(peer: PeerId, lastServable: number): void {
    const a = this.known.get(peer);
    if (a && a.committed > lastServable) a.committed = lastServable;
  }

  dropSnapshot(peer: PeerId): void {
    const a = this.known.get(peer);
    if (a) a.snapshot = null;
  }

  peers(): PeerId[] {
    return [...this.known.keys()];
  }

  canServe(peer: PeerId, index: number): boolean {
    const a = this.known.get(peer);
    return a !== undefined && a.firstIndex <= index && index <= a.committed;
  }

  /** Whether any known peer (other than `except`) holds log entry `index`. */
  anyCovers(index: number, except: PeerId | null = null): boolean {
    return this.coverEnd(index, except) !== null;
  }

  /** The furthest index reachable from `index` by one peer other than `except` that holds `index`. */
  coverEnd(index: number, except: PeerId | null): number | null {
    let best: number | null = null;
    for (const [peer, a] of this.known) {
      if (peer === except || a.firstIndex > index || a.committed < index) continue;
      if (best === null || a.committed > best) best = a.committed;
    }
    return best;
  }

  /** The lowest firstIndex above `index` among peers other than `except` (where their coverage begins). */
  nextCoverStart(index: number, except: PeerId | null): number | null {
    let best: number | null = null;
    for (const [peer, a] of this.known) {
      if (peer === except || a.firstIndex <= index || a.committed < a.firstIndex) continue;
      if (best === null || a.firstIndex < best) best = a.firstIndex;
    }
    return best;
  }

  /** The highest index any known peer serves (0 when none). */
  maxCommitted(): number {
    let best = 0;
    for (const a of this.known.values()) if (a.committed >= a.firstIndex && a.committed > best) best = a.committed;
    return best;
  }

  /** The newest advertised snapshot covering `minIndex`; among equal indices, the one most peers hold. */
  bestSnapshot(minIndex: number): AdvertisedSnapshot | null {
    let best: AdvertisedSnapshot | null = null;
    let bestHolders = 0;
    for (const a of this.known.values()) {
      const s = a.snapshot;
      if (!s || s.index < minIndex) continue;
      const holders = this.snapshotHolders(s).length;
      if (!best || s.index > best.index || (s.index === best.index && holders > bestHolders)) {
        best = s;
        bestHolders = holders;
      }
    }
    return best;
  }

  /** Peers advertising the same snapshot (same index, term and size). */
  snapshotHolders(target: AdvertisedSnapshot): PeerId[] {
    const holders: PeerId[] = [];
    for (const [peer, a] of this.known) {
      const s = a.snapshot;
      if (s && s.index === target.index && s.term === target.term && s.size === target.size) holders.push(peer);
    }
    return holders;
  }
}
