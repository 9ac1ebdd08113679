// Checks on catch-up replies. The codec already validates shapes on the wire; these checks are
// about the reply matching its request, and stay defensive so a session fed directly (tests, an
// in-process transport) never throws on a malformed value: it drops the reply and counts it.
import type { AvailabilityResponse, FetchSnapshotResponse } from '../messages';
import type { LogEntry } from '../types';
import type { PeerAvailability } from './availability';
import type { SnapshotChunkRequest } from './in-flight';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function isRequestId(n: unknown): n is number {
  return isCount(n);
}

/** The availability an answer describes, or null when it is malformed. */
export function parseAvailability(m: AvailabilityResponse): PeerAvailability | null {
  if (!isCount(m.firstIndex) || m.firstIndex < 1 || !isCount(m.committed)) return null;
  const s = m.snapshot;
  if (s !== null && s !== undefined) {
    const membershipOk = !!s.membership && Array.isArray(s.membership.voters) && Array.isArray(s.membership.learners);
    if (!isCount(s.index) || s.index < 1 || !isCount(s.term) || !isCount(s.size) || !membershipOk) return null;
    return { firstIndex: m.firstIndex, committed: m.committed, snapshot: { ...s } };
  }
  return { firstIndex: m.firstIndex, committed: m.committed, snapshot: null };
}

/**
 * Whether `entries` can answer a request for [from, to]: a run starting exactly at `from`, contiguous,
 * not past `to`, terms never decreasing (Log Matching, §5.3). It may be shorter than asked, or empty.
 */
export function entriesAnswer(entries: unknown, from: number, to: number): entries is LogEntry[] {
  if (!Array.isArray(entries) || entries.length > to - from + 1) return false;
  let term = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as LogEntry | null | undefined;
    if (!e || e.index !== from + i || !isCount(e.term) || e.term < term) return false;
    if (e.kind !== 'command' && e.kind !== 'noop' && e.kind !== 'config') return false;
    if (e.kind === 'command' && !(e.data instanceof Uint8Array)) return false;
    term = e.term;
  }
  return true;
}

export type SnapshotReplyVerdict = 'chunk' | 'not-held' | 'bad';

/** Classifies a snapshot chunk answer against its request and the size every holder advertised. */
export function snapshotReplyVerdict(m: FetchSnapshotResponse, request: SnapshotChunkRequest, size: number): SnapshotReplyVerdict {
  if (m.index !== request.index || m.term !== request.term || m.offset !== request.offset) return 'bad';
  if (!(m.data instanceof Uint8Array)) return 'bad';
  if (m.data.length === 0) return 'not-held';
  if (m.totalSize !== size) return 'bad';
  if (m.meta && (m.meta.index !== request.index || m.meta.term !== request.term)) return 'bad';
  return 'chunk';
}
