// The serving side of catch-up: how a peer answers AvailabilityRequest / FetchEntriesRequest /
// FetchSnapshotRequest from what it holds. Pure, so the engine, the simulator, tests and the
// benchmark all answer the same way.
import type { AvailabilityResponse, FetchEntriesResponse, FetchSnapshotResponse, Message } from '../messages';
import type { LogEntry, Snapshot } from '../types';
import { estimateEntryBytes } from './entry-size';

/**
 * Bytes (estimated, entry-size.ts) past which an entries answer is cut. A request may name up to a
 * million entries (the codec's limit), and a peer holding a long log of large commands would
 * otherwise build an answer of any size for whoever asks: a hostile member could make it run out of
 * memory. Honest requesters ask about CHUNK_BYTES_BUDGET (4 MiB) per chunk, so they rarely meet
 * this. A cut answer holds at least this many bytes; with the default maxProposalBytes (8 MiB) it
 * stays under the mesh's default message cap (16 MiB), so it is delivered.
 */
export const MAX_ENTRIES_ANSWER_BYTES = 6 * 1024 * 1024;
/**
 * Bytes past which a snapshot piece is cut, whatever length the request names (the codec lets it
 * name 64 MiB). Honest requesters ask for RaftConfig.snapshotChunkBytes, which resolveConfig keeps
 * at or below this, so they never meet the cut.
 */
export const MAX_SNAPSHOT_PIECE_BYTES = 6 * 1024 * 1024;
/** Entries read from the source at a time while an answer is filled (never the whole requested range at once). */
const ANSWER_READ_WINDOW = 1024;

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
 * the requested range it holds (committed and not compacted), cut once it reaches
 * MAX_ENTRIES_ANSWER_BYTES. The requester reads a shorter answer below that size as "I hold nothing
 * past this", and one at that size or above as "cut for size, ask again for the rest"
 * (reply-intake.ts), so a server must not cut answers for any other reason.
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
      const entries = from >= source.firstIndex() && from <= to ? entriesWithin(source, from, to, MAX_ENTRIES_ANSWER_BYTES) : [];
      return { type: 'FetchEntriesResponse', requestId: message.requestId, senderTerm: source.term(), entries };
    }
    case 'FetchSnapshotRequest': {
      const snap = source.snapshot();
      const held = snap !== null && snap.meta.index === message.index && snap.meta.term === message.term;
      const size = held ? snap.data.length : 0;
      const offset = Math.min(message.offset, size);
      const length = Math.min(message.length, MAX_SNAPSHOT_PIECE_BYTES);
      const data = held ? snap.data.subarray(offset, Math.min(size, offset + length)) : new Uint8Array(0);
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

/** Held entries from `from` on, up to `to` or until they reach `maxBytes` (at least one entry). */
function entriesWithin(source: CatchUpSource, from: number, to: number, maxBytes: number): LogEntry[] {
  const out: LogEntry[] = [];
  let bytes = 0;
  for (let start = from; start <= to; start += ANSWER_READ_WINDOW) {
    for (const entry of source.entries(start, Math.min(to, start + ANSWER_READ_WINDOW - 1))) {
      out.push(entry);
      bytes += estimateEntryBytes(entry);
      if (bytes >= maxBytes) return out;
    }
  }
  return out;
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
