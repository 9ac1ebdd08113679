// The multi-peer catch-up scheduler (docs/architecture.md, "Catch-up"), sans-IO like the engine:
// the caller feeds replies, ticks and peer events, and drains takeOutbox() / takeOutput().
//
// What it guarantees beyond a naive chunked replay: requests carry ids and a reply is
// matched to its request (late and duplicate replies are dropped and counted); an empty or short
// reply never blocks draining (only non-empty runs are stored, the rest is simply unclaimed again);
// availability is asked again after a timeout and whenever the remaining gap reaches past what
// every known peer holds, so a session never stalls waiting for peers to advance; a timeout halves
// that peer's chunk size (chunk-sizes.ts) and the timed-out request's answer is still used if it
// arrives late, so a chunk too large for the transport or too slow for the timeout cannot wedge it.
//
// The session holds the state and the inputs; its parts see it through a small interface each:
// ChunkScheduler (which request each idle peer gets), SnapshotPhase (when to fetch a snapshot
// instead of the log), AvailabilityRefresh (when to ask peers again what they hold) and
// reply-intake.ts (matching, checking and storing answers).
import type { Envelope, Message } from '../messages';
import type { CatchUpProgress, LogEntry, PeerId } from '../types';
import { AnswerTimes } from './answer-times';
import type { CatchUpOutput, CatchUpSessionApi, CatchUpSessionOptions, CatchUpStats } from './api';
import { AvailabilityTable } from './availability';
import { AvailabilityRefresh, type AvailabilityRefreshHost } from './availability-refresh';
import type { ClaimedRanges } from './chunk-plan';
import { ChunkScheduler, type ChunkSchedulerHost } from './chunk-scheduler';
import { ChunkSizes } from './chunk-sizes';
import { estimateEntriesBytes } from './entry-size';
import { type FetchRequest, InFlightRequests, requestMessage, TimedOutRequests } from './in-flight';
import { OrderedOutput } from './ordered-output';
import { type ReplyIntakeHost, takeAvailability, takeEntries, takeSnapshotChunk } from './reply-intake';
import { validateSessionOptions } from './session-options';
import { SnapshotPhase, type SnapshotPhaseHost } from './snapshot-phase';

export class CatchUpSession implements CatchUpSessionApi, ChunkSchedulerHost, SnapshotPhaseHost, AvailabilityRefreshHost, ReplyIntakeHost {
  private readonly self: PeerId;
  /** Current leader (setLeader): asked last. */
  leader: PeerId | null;
  readonly connected = new Set<PeerId>();
  /** First index this session outputs (progress is measured from here). */
  readonly startIndex: number;
  /** Last index to fetch (extendTarget raises it). */
  target: number;
  readonly batchSize: number;
  readonly requestTimeoutMs: number;
  private nextId: number;
  /** Time of the latest input (it never goes back). */
  lastNow: number;
  private started = false;

  readonly availability = new AvailabilityTable();
  readonly answerTimes = new AnswerTimes();
  readonly inFlight = new InFlightRequests();
  readonly timedOutRequests = new TimedOutRequests();
  readonly chunkSizes: ChunkSizes;
  readonly out: OrderedOutput;
  readonly claims: ClaimedRanges[];
  readonly snapshotPhase: SnapshotPhase;
  readonly refresh: AvailabilityRefresh;
  private readonly chunks: ChunkScheduler;

  private outbox: Envelope[] = [];
  readonly served = new Map<PeerId, number>();
  readonly counters = {
    requestsSent: 0,
    availabilityRequests: 0,
    entriesReceived: 0,
    bytesReceived: 0,
    timeouts: 0,
    resends: 0,
    ignoredReplies: 0,
    lateAnswers: 0,
  };

  constructor(options: CatchUpSessionOptions) {
    validateSessionOptions(options);
    this.self = options.self;
    this.leader = options.leader;
    for (const peer of options.peers) if (peer !== options.self) this.connected.add(peer);
    this.startIndex = Math.max(options.from, options.localSnapshotIndex + 1);
    this.out = new OrderedOutput(this.startIndex, options.prevTerm);
    this.target = options.to;
    this.batchSize = options.batchSize;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.chunkSizes = new ChunkSizes(options.batchSize, options.requestTimeoutMs, options.entryBytesHint);
    this.nextId = options.firstRequestId;
    this.lastNow = options.now;
    this.claims = [this.inFlight, this.out.fetched, this.out.leaderBuffer.runs];
    this.snapshotPhase = new SnapshotPhase(this, options.snapshotChunkBytes);
    this.refresh = new AvailabilityRefresh(this);
    this.chunks = new ChunkScheduler(this);
  }

  // ---------------------------------------------------------------- inputs

  start(now: number): void {
    this.observe(now);
    if (this.started) return;
    this.started = true;
    this.drain();
    if (!this.done) this.refresh.askEveryone(now);
    this.schedule(now);
  }

  receive(from: PeerId, message: Message, now: number): void {
    this.observe(now);
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'AvailabilityResponse':
        takeAvailability(this, from, message);
        break;
      case 'FetchEntriesResponse':
        takeEntries(this, from, message);
        break;
      case 'FetchSnapshotResponse':
        takeSnapshotChunk(this, from, message);
        break;
      default:
        return;
    }
    this.drain();
    this.schedule(now);
  }

  tick(now: number): void {
    this.observe(now);
    if (!this.started || this.done) return;
    this.resendOverdue(now);
    // A request unanswered for requestTimeoutMs: the peer may be gone or overloaded, or the chunk
    // too large for the link or the transport. Forget what it said it holds, re-ask it, let the
    // chunk go to someone else, and ask it for half as much from now on (its answer is still
    // taken if it arrives late).
    const timedOut = new Set<PeerId>();
    for (const request of this.inFlight.olderThan(now - this.requestTimeoutMs)) {
      this.counters.timeouts++;
      this.dropRequest(request);
      if (request.kind === 'entries') {
        this.chunkSizes.timedOut(request.peer, request.to - request.from + 1);
        this.timedOutRequests.add(request);
      }
      timedOut.add(request.peer);
    }
    // Once per peer, though two of its requests may have timed out together.
    for (const peer of timedOut) {
      this.availability.drop(peer);
      if (this.connected.has(peer)) this.askAvailability(peer);
    }
    this.schedule(now);
  }

  peerUp(id: PeerId, now: number): void {
    this.observe(now);
    if (id === this.self) return;
    this.connected.add(id);
    if (!this.started || this.done) return;
    this.askAvailability(id);
    this.schedule(now);
  }

  peerDown(id: PeerId, now: number): void {
    this.observe(now);
    this.connected.delete(id);
    for (const request of this.inFlight.forPeer(id)) this.dropRequest(request);
    this.timedOutRequests.forget(id);
    this.availability.forget(id);
    this.answerTimes.forget(id);
    this.schedule(now);
  }

  setLeader(id: PeerId | null): void {
    this.leader = id;
    this.schedule(this.lastNow);
  }

  extendTarget(to: number): void {
    if (!Number.isSafeInteger(to) || to <= this.target) return;
    this.target = to;
    this.schedule(this.lastNow);
  }

  bufferFromLeader(entries: LogEntry[], prevTerm: number): void {
    if (!Array.isArray(entries) || !Number.isSafeInteger(prevTerm)) return;
    // The leader's latest entries tell the entry size before any fetch is answered.
    if (!this.chunkSizes.sized()) this.chunkSizes.noteBytes(entries.length, estimateEntriesBytes(entries));
    this.out.addFromLeader(entries, prevTerm);
    this.drain();
    // The buffer may have replaced entries that were skipped as "claimed": schedule again.
    this.schedule(this.lastNow);
  }

  // ---------------------------------------------------------------- outputs

  takeOutbox(): Envelope[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  takeOutput(): CatchUpOutput[] {
    return this.out.take();
  }

  get done(): boolean {
    return this.snapshotPhase.current === null && this.out.cursor > this.target;
  }

  /** Next index this session will output (the engine's last index + 1 once output is appended). */
  get nextIndex(): number {
    return this.out.cursor;
  }

  /** First request id the caller may use for its own requests after this session's. */
  get nextRequestId(): number {
    return this.nextId;
  }

  progress(): CatchUpProgress {
    const total = this.target - this.startIndex + 1;
    let fraction = 1;
    if (!this.done && total > 0) {
      let covered = this.out.cursor - this.startIndex;
      const sf = this.snapshotPhase.current;
      if (sf) covered += ((sf.target.index + 1 - this.out.cursor) * sf.bytesReceived) / Math.max(1, sf.target.size);
      fraction = Math.min(1, Math.max(0, covered / total));
    }
    return {
      fraction,
      from: this.startIndex,
      to: this.target,
      entriesFetched: this.counters.entriesReceived,
      bytesFetched: this.counters.bytesReceived,
      peersUsed: this.served.size,
      phase: this.snapshotPhase.current ? 'snapshot' : 'log',
    };
  }

  stats(): CatchUpStats {
    return { ...this.counters, leaderEntriesDropped: this.out.leaderEntriesDropped, chunksByPeer: Object.fromEntries(this.served) };
  }

  // ---------------------------------------------------------------- scheduling

  private schedule(now: number): void {
    if (!this.started || this.done) return;
    this.snapshotPhase.consider(now);
    const fetching = this.snapshotPhase.current;
    if (fetching) this.chunks.scheduleSnapshotPieces(now, fetching, this.snapshotPhase.holders(fetching));
    const lo = fetching ? Math.max(this.out.cursor, fetching.target.index + 1) : this.out.cursor;
    this.chunks.scheduleEntries(now, lo);
    this.refresh.reaskUnanswered(now);
    this.refresh.askEveryoneIfStalled(now, lo);
  }

  // ---------------------------------------------------------------- requests

  takeRequestId(): number {
    return this.nextId++;
  }

  askAvailability(peer: PeerId): void {
    const id = this.takeRequestId();
    this.availability.noteAsked(peer, id, this.lastNow);
    this.counters.availabilityRequests++;
    this.outbox.push({ to: peer, message: { type: 'AvailabilityRequest', requestId: id } });
  }

  send(request: FetchRequest): void {
    this.inFlight.add(request);
    this.counters.requestsSent++;
    this.outbox.push({ to: request.peer, message: requestMessage(request) });
  }

  /**
   * A request unanswered for several times its peer's slowest recent fetch answer was most likely lost
   * (answer-times.ts): send it once more, under the same id, well before it times out.
   */
  private resendOverdue(now: number): void {
    for (const request of this.inFlight.all()) {
      if (request.resent) continue;
      const wait = this.answerTimes.resendAfter(request.peer, this.requestTimeoutMs / 8, this.requestTimeoutMs / 2);
      if (now - request.sentAt < wait) continue;
      request.resent = true;
      this.counters.resends++;
      this.outbox.push({ to: request.peer, message: requestMessage(request) });
    }
  }

  /** Forgets a request without an answer: its range (or piece) is unclaimed again. */
  private dropRequest(request: FetchRequest): void {
    this.inFlight.remove(request);
    this.snapshotPhase.release(request);
  }

  // ---------------------------------------------------------------- output

  /** Output waits while a snapshot is being fetched: it must come first. */
  drain(): void {
    if (this.snapshotPhase.current) return;
    this.out.drain();
    if (this.done) {
      // Their answers are no longer needed.
      if (this.inFlight.size > 0) this.inFlight.clear();
      this.timedOutRequests.clear();
    }
  }

  private observe(now: number): void {
    if (typeof now === 'number' && Number.isFinite(now) && now > this.lastNow) this.lastNow = now;
  }
}
