// Which chunk to fetch next, and from whom. Chunks never overlap: an index is "claimed" while a
// request for it is in flight, once it was fetched, or when the leader already sent it; the next
// chunk starts at the lowest unclaimed index a peer can serve and stops before the next claim.
import type { PeerId } from '../types';
import type { AvailabilityTable } from './availability';

/** A set of claimed index ranges (in-flight requests, fetched chunks, the leader's buffer). */
export interface ClaimedRanges {
  /** End of the claimed range containing `index`, or null when `index` is unclaimed. */
  claimEnd(index: number): number | null;
  /** Start of the first claimed range beginning after `index`, or null. */
  nextClaimStart(index: number): number | null;
}

export interface PlannedChunk {
  peer: PeerId;
  from: number;
  to: number;
}

export interface PlanInput {
  /** Idle peers, best first (non-leaders, then fewer chunks served). */
  idle: PeerId[];
  leader: PeerId | null;
  availability: AvailabilityTable;
  claims: ClaimedRanges[];
  /** Lowest index worth fetching and highest (inclusive). */
  lo: number;
  hi: number;
  /** Entries a chunk asked of `peer` may hold (at least one; chunk-sizes.ts). */
  chunkSize: (peer: PeerId) => number;
}

/** Orders idle peers: the leader last (it is the busiest peer), then fewer chunks served, then id. */
export function rankIdlePeers(peers: PeerId[], leader: PeerId | null, served: (peer: PeerId) => number): PeerId[] {
  return [...peers].sort((a, b) => {
    const la = a === leader ? 1 : 0;
    const lb = b === leader ? 1 : 0;
    if (la !== lb) return la - lb;
    const sa = served(a);
    const sb = served(b);
    if (sa !== sb) return sa - sb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** End of the claim containing `index` across all sources, or null. */
function claimedUntil(claims: ClaimedRanges[], index: number): number | null {
  let end: number | null = null;
  for (const c of claims) {
    const e = c.claimEnd(index);
    if (e !== null && (end === null || e > end)) end = e;
  }
  return end;
}

function nextClaim(claims: ClaimedRanges[], index: number): number | null {
  let next: number | null = null;
  for (const c of claims) {
    const s = c.nextClaimStart(index);
    if (s !== null && (next === null || s < next)) next = s;
  }
  return next;
}

/** Lowest unclaimed index in [lo, hi], or null. */
export function firstUnclaimed(claims: ClaimedRanges[], lo: number, hi: number): number | null {
  let p = lo;
  while (p <= hi) {
    const end = claimedUntil(claims, p);
    if (end === null) return p;
    p = end + 1;
  }
  return null;
}

/**
 * The chunk `peer` should fetch: the lowest unclaimed index it serves, up to its chunk size,
 * stopping before the next claim. The leader only gets indices no other known peer holds
 * ("leader last", made strict so the leader serves the fewest chunks).
 */
function chunkFor(peer: PeerId, input: PlanInput): PlannedChunk | null {
  const a = input.availability.get(peer);
  if (!a) return null;
  const isLeader = peer === input.leader;
  const lo = Math.max(input.lo, a.firstIndex);
  const hi = Math.min(input.hi, a.committed);
  let p = lo;
  for (;;) {
    const free = firstUnclaimed(input.claims, p, hi);
    if (free === null) return null;
    if (!isLeader) {
      p = free;
      break;
    }
    const others = input.availability.coverEnd(free, peer);
    if (others === null) {
      p = free;
      break;
    }
    p = others + 1;
  }
  let to = Math.min(p + Math.max(1, input.chunkSize(peer)) - 1, hi);
  const claim = nextClaim(input.claims, p);
  if (claim !== null) to = Math.min(to, claim - 1);
  if (isLeader) {
    const cover = input.availability.nextCoverStart(p, peer);
    if (cover !== null) to = Math.min(to, cover - 1);
  }
  return { peer, from: p, to };
}

/** The next chunk to request: the lowest one any idle peer can serve (ties go to the better-ranked peer). */
export function planNextChunk(input: PlanInput): PlannedChunk | null {
  let best: PlannedChunk | null = null;
  for (const peer of input.idle) {
    const chunk = chunkFor(peer, input);
    if (chunk && (!best || chunk.from < best.from)) best = chunk;
  }
  return best;
}

/**
 * Whether some index of [lo, hi] that still has to be fetched is held by no known peer: then
 * availability must be asked again (peers advance their commit; a session that never re-asks stalls).
 */
export function hasUncoveredNeed(claims: ClaimedRanges[], availability: AvailabilityTable, lo: number, hi: number): boolean {
  let p = lo;
  while (p <= hi) {
    const claimed = claimedUntil(claims, p);
    if (claimed !== null) {
      p = claimed + 1;
      continue;
    }
    const covered = availability.coverEnd(p, null);
    if (covered === null) return true;
    p = covered + 1;
  }
  return false;
}
