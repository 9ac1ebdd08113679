// The serving side of catch-up: how a peer answers AvailabilityRequest / FetchEntriesRequest /
// FetchSnapshotRequest from what it holds. Pure, so the engine, the simulator, tests and the
// benchmark all answer the same way.
import type { AvailabilityResponse, FetchEntriesResponse, FetchSnapshotResponse, Message } from '../messages';
import type { LogEntry, Snapshot } from '../types';

/** What a serving peer holds. */
export interface CatchUpSource {
  /** The serving peer's current term, sent with every reply. */
  term(): number;
  /** First log index still held (snapshot index + 1; 1 for a log never compacted). */
  firstIndex(): number;
  /** Commit index: only committed entries are served (they are the same on every peer, §5.4). */
  committed(): number;
  /** Held entries in [from, to] (both already clamped to what is held), in order. */
  entries(from: number, to: number): LogEntry[];
  /** The latest snapshot it can serve, if any. */
  snapshot(): Snapshot | null;
}

export type CatchUpReply = AvailabilityResponse | FetchEntriesResponse | FetchSnapshotResponse;

/**
 * The answer to a catch-up request, or null when `message` is not one. A fetch is answered with
 * the whole requested range it holds (committed and not compacted): the requester reads a shorter
 * answer as "I hold nothing past this", so a server must not cut answers for other reasons.
 */
export function answerCatchUpRequest(source: CatchUpSource, message: Message): CatchUpReply | null {
  switch (message.type) {
    case 'AvailabilityRequest': {
      const snap = source.snapshot();
      return {
        type: 'AvailabilityResponse',
        requestId: message.requestId,
        senderTerm: source.term(),
        firstIndex: Math.max(1, source.firstIndex()),
        committed: source.committed(),
        snapshot: snap ? { ...snap.meta, size: snap.data.length } : null,
      };
    }
    case 'FetchEntriesRequest': {
      const from = message.from;
      const to = Math.min(message.to, source.committed());
      const entries = from >= source.firstIndex() && from <= to ? source.entries(from, to) : [];
      return { type: 'FetchEntriesResponse', requestId: message.requestId, senderTerm: source.term(), entries };
    }
    case 'FetchSnapshotRequest': {
      const snap = source.snapshot();
      const held = snap !== null && snap.meta.index === message.index && snap.meta.term === message.term;
      const size = held ? snap.data.length : 0;
      const offset = Math.min(message.offset, size);
      const data = held ? snap.data.subarray(offset, Math.min(size, offset + message.length)) : new Uint8Array(0);
      return {
        type: 'FetchSnapshotResponse',
        requestId: message.requestId,
        senderTerm: source.term(),
        index: message.index,
        term: message.term,
        offset: message.offset,
        data,
        totalSize: size,
        meta: held && offset === 0 ? snap.meta : null,
      };
    }
    default:
      return null;
  }
}

/** A CatchUpSource over an in-memory array of entries (index i at position i - firstIndex). */
export function arraySource(log: {
  entries: readonly LogEntry[];
  committed: number;
  snapshot?: Snapshot | null;
  /** The serving peer's term (default: the last entry's or snapshot's term). */
  term?: number;
}): CatchUpSource {
  const first = () => (log.entries.length > 0 ? log.entries[0].index : (log.snapshot?.meta.index ?? 0) + 1);
  return {
    term: () => log.term ?? log.entries.at(-1)?.term ?? log.snapshot?.meta.term ?? 0,
    firstIndex: first,
    committed: () => log.committed,
    entries: (from, to) => log.entries.slice(from - first(), to - first() + 1) as LogEntry[],
    snapshot: () => log.snapshot ?? null,
  };
}
