// Taking in the session's replies. A fetch answer is matched to the request it answers (duplicate
// and unknown replies are dropped and counted), checked against it (reply-checks.ts) and stored; an
// availability answer counts only for an open question to a connected peer. A reply that cannot be
// trusted makes the session forget what its peer advertised (its range for an entries answer, its
// snapshot for a piece), so that part is unclaimed again and goes to someone else.
//
// An entries answer arriving after its request timed out (one of the last few, in-flight.ts
// TimedOutRequests) passes the same checks against that request and fills whatever of its range is
// still unfetched; one that fills nothing is dropped and counted like any late reply. On a link too
// slow for a chunk per request timeout, these late answers are the progress made until the chunk
// size has shrunk to fit (chunk-sizes.ts).
import type { AvailabilityResponse, FetchEntriesResponse, FetchSnapshotResponse } from '../messages';
import type { LogEntry, PeerId } from '../types';
import type { AnswerTimes } from './answer-times';
import type { CatchUpStats } from './api';
import type { AvailabilityTable } from './availability';
import type { AvailabilityRefresh } from './availability-refresh';
import type { ChunkSizes } from './chunk-sizes';
import { estimateEntriesBytes } from './entry-size';
import { MAX_ENTRIES_ANSWER_BYTES } from './responder';
import type { EntriesRequest, FetchRequest, InFlightRequests, TimedOutRequests } from './in-flight';
import type { OrderedOutput } from './ordered-output';
import { entriesAnswer, isRequestId, parseAvailability, snapshotReplyVerdict } from './reply-checks';
import type { SnapshotPhase } from './snapshot-phase';

/** What reply intake uses of the session: what it asked and of whom, where answers go, and what it counts. */
export interface ReplyIntakeHost {
  readonly connected: ReadonlySet<PeerId>;
  /** Time of the latest input. */
  readonly lastNow: number;
  readonly availability: Pick<AvailabilityTable, 'accept' | 'openSince' | 'drop' | 'shrinkCommitted' | 'dropSnapshot'>;
  readonly inFlight: Pick<InFlightRequests, 'get' | 'remove'>;
  /** Entry requests that timed out lately: their late answers may still fill a gap. */
  readonly timedOutRequests: Pick<TimedOutRequests, 'take'>;
  readonly answerTimes: Pick<AnswerTimes, 'note'>;
  readonly chunkSizes: Pick<ChunkSizes, 'answered' | 'noteBytes' | 'noteRoundTrip'>;
  readonly counters: Pick<CatchUpStats, 'entriesReceived' | 'bytesReceived' | 'ignoredReplies' | 'lateAnswers'>;
  /** Chunks (and snapshot pieces) each peer served so far. */
  readonly served: Map<PeerId, number>;
  readonly out: Pick<OrderedOutput, 'addFetched'>;
  readonly snapshotPhase: Pick<SnapshotPhase, 'current' | 'install'>;
  readonly refresh: Pick<AvailabilityRefresh, 'reaskAfterEmpty'>;
  /** Sends `peer` an availability question. */
  askAvailability(peer: PeerId): void;
}

export function takeAvailability(session: ReplyIntakeHost, from: PeerId, m: AvailabilityResponse): void {
  const availability = parseAvailability(m);
  const askedAt = session.availability.openSince(from);
  if (!availability || !session.connected.has(from) || !isRequestId(m.requestId) || !session.availability.accept(from, m.requestId, availability)) {
    session.counters.ignoredReplies++;
    return;
  }
  // The peer's round trip, for chunk sizing (or less, when the answer is to an earlier question:
  // a shorter round trip only makes growing more careful).
  if (askedAt !== undefined) session.chunkSizes.noteRoundTrip(from, session.lastNow - askedAt);
}

/** The in-flight request a reply answers, or undefined (late, duplicate, or not from that peer). */
function matchReply(session: ReplyIntakeHost, from: PeerId, requestId: unknown, kind: FetchRequest['kind']): FetchRequest | undefined {
  const request = isRequestId(requestId) ? session.inFlight.get(requestId) : undefined;
  if (!request || request.kind !== kind || request.peer !== from) {
    session.counters.ignoredReplies++;
    return undefined;
  }
  session.inFlight.remove(request);
  session.answerTimes.note(from, session.lastNow - request.sentAt);
  return request;
}

/** The timed-out entry request a late reply answers (not one still in flight), or undefined. */
function matchLateReply(session: ReplyIntakeHost, from: PeerId, requestId: unknown): EntriesRequest | undefined {
  if (!isRequestId(requestId) || session.inFlight.get(requestId)) return undefined;
  return session.timedOutRequests.take(requestId, from);
}

export function takeEntries(session: ReplyIntakeHost, from: PeerId, m: FetchEntriesResponse): void {
  const late = matchLateReply(session, from, m.requestId);
  const request = late ?? matchReply(session, from, m.requestId, 'entries');
  if (!request || request.kind !== 'entries') return;
  if (!entriesAnswer(m.entries, request.from, request.to)) {
    // Wrong indices or too many: this peer's answers cannot be trusted until it is asked again
    // (a later availability refresh). The range is unclaimed again, so someone else fetches it.
    session.counters.ignoredReplies++;
    session.availability.drop(from);
    return;
  }
  const received = m.entries;
  if (late) return takeLateEntries(session, from, received);
  const requested = request.to - request.from + 1;
  session.chunkSizes.answered(from, requested, received.length, session.lastNow - request.sentAt);
  const bytes = estimateEntriesBytes(received);
  if (request.from + received.length - 1 < request.to && bytes < MAX_ENTRIES_ANSWER_BYTES) {
    // Empty or short: the peer holds nothing past what it sent. The rest is unclaimed again.
    // (A short answer of MAX_ENTRIES_ANSWER_BYTES or more was cut for size by its server: it
    // still holds the rest, which is unclaimed again too and asked for in the next chunk.)
    session.availability.shrinkCommitted(from, request.from + received.length - 1);
  }
  if (received.length === 0) return session.refresh.reaskAfterEmpty(from);
  session.out.addFetched(received);
  count(session, from, received, bytes);
}

/**
 * A late answer, checked like any against its request: only what is still unfetched is kept. It
 * says nothing new about what its peer holds now (that was asked again at the timeout).
 */
function takeLateEntries(session: ReplyIntakeHost, from: PeerId, received: LogEntry[]): void {
  if (session.out.addFetched(received) === 0) {
    session.counters.ignoredReplies++;
    return;
  }
  session.counters.lateAnswers++;
  count(session, from, received);
}

/** Counts a stored answer: entries, bytes (also for chunk sizing), and the chunk its peer served. */
function count(session: ReplyIntakeHost, from: PeerId, received: LogEntry[], bytes = estimateEntriesBytes(received)): void {
  session.chunkSizes.noteBytes(received.length, bytes);
  session.counters.entriesReceived += received.length;
  session.counters.bytesReceived += bytes;
  session.served.set(from, (session.served.get(from) ?? 0) + 1);
}

export function takeSnapshotChunk(session: ReplyIntakeHost, from: PeerId, m: FetchSnapshotResponse): void {
  const request = matchReply(session, from, m.requestId, 'snapshot');
  if (!request || request.kind !== 'snapshot') return;
  const sf = session.snapshotPhase.current;
  if (!sf || sf.target.index !== request.index || sf.target.term !== request.term || sf.target.size !== request.size) {
    session.counters.ignoredReplies++; // an abandoned snapshot
    return;
  }
  const verdict = snapshotReplyVerdict(m, request, sf.target.size);
  if (verdict !== 'chunk' || !sf.accept(request.piece, m.data)) {
    sf.release(request.piece);
    session.availability.dropSnapshot(from);
    if (verdict === 'not-held') session.askAvailability(from); // it probably holds a newer one now
    else session.counters.ignoredReplies++;
    return;
  }
  session.counters.bytesReceived += m.data.length;
  session.served.set(from, (session.served.get(from) ?? 0) + 1);
  if (sf.complete) session.snapshotPhase.install(sf);
}
