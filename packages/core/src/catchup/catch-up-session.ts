// The multi-peer catch-up scheduler (docs/architecture.md, "Catch-up"), sans-IO like the engine:
// the caller feeds replies, ticks and peer events, and drains takeOutbox() / takeOutput().
//
// What it guarantees beyond a naive chunked replay: requests carry ids and a reply is
// matched to its request (late and duplicate replies are dropped and counted); an empty or short
// reply never blocks draining (only non-empty runs are stored, the rest is simply unclaimed again);
// availability is asked again after a timeout and whenever the remaining gap reaches past what
// every known peer holds, so a session never stalls waiting for peers to advance.
import type { AvailabilityResponse, Envelope, FetchEntriesResponse, FetchSnapshotResponse, Message } from '../messages';
import type { CatchUpProgress, LogEntry, PeerId } from '../types';
import type { CatchUpOutput, CatchUpSessionApi, CatchUpSessionOptions, CatchUpStats } from './api';
import { AnswerTimes } from './answer-times';
import { AvailabilityTable } from './availability';
import { type ClaimedRanges, hasUncoveredNeed, planNextChunk, rankIdlePeers } from './chunk-plan';
import { estimateEntriesBytes } from './entry-size';
import { ENTRY_REQUESTS_PER_PEER, type FetchRequest, InFlightRequests, requestMessage } from './in-flight';
import { OrderedOutput } from './ordered-output';
import { entriesAnswer, isRequestId, parseAvailability, snapshotReplyVerdict } from './reply-checks';
import { validateSessionOptions } from './session-options';
import { PausedSnapshotFetches, SnapshotFetch } from './snapshot-fetch';

/**
 * How far past the next index to output chunks may be fetched, in chunks per connected peer:
 * enough to keep every peer busy while one slow chunk is outstanding, bounded so a stuck chunk
 * cannot make the out-of-order store grow without limit.
 */
const LOOKAHEAD_CHUNKS_PER_PEER = 8;
const MIN_LOOKAHEAD_CHUNKS = 32;

/** Up to this many serving peers besides the leader, each may have two entry requests in flight. */
const PIPELINED_SOURCES = 2;

export class CatchUpSession implements CatchUpSessionApi {
  private readonly self: PeerId;
  private leader: PeerId | null;
  private readonly connected = new Set<PeerId>();
  /** First index this session outputs (progress is measured from here). */
  private readonly startIndex: number;
  private target: number;
  private readonly batchSize: number;
  private readonly requestTimeoutMs: number;
  private readonly snapshotChunkBytes: number;
  private nextId: number;
  private lastNow: number;
  private started = false;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;

  private readonly availability = new AvailabilityTable();
  private readonly answerTimes = new AnswerTimes();
  private readonly inFlight = new InFlightRequests();
  private readonly out: OrderedOutput;
  private snapshotFetch: SnapshotFetch | null = null;
  /**
   * Snapshots left part-fetched when their holders went quiet (a timeout forgets what a peer
   * advertised until it answers again): switching back resumes them instead of starting over, so
   * two flaky holders of different snapshots cannot keep each other's progress at zero.
   */
  private readonly pausedSnapshots = new PausedSnapshotFetches();
  private readonly claims: ClaimedRanges[];

  private outbox: Envelope[] = [];
  private readonly served = new Map<PeerId, number>();
  /** When each peer was last asked for availability because it answered a fetch empty. */
  private readonly reaskedAt = new Map<PeerId, number>();
  private readonly counters = {
    requestsSent: 0,
    availabilityRequests: 0,
    entriesReceived: 0,
    bytesReceived: 0,
    timeouts: 0,
    resends: 0,
    ignoredReplies: 0,
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
    this.snapshotChunkBytes = options.snapshotChunkBytes;
    this.nextId = options.firstRequestId;
    this.lastNow = options.now;
    this.claims = [this.inFlight, this.out.fetched, this.out.leaderBuffer.runs];
  }

  // ---------------------------------------------------------------- inputs

  start(now: number): void {
    this.observe(now);
    if (this.started) return;
    this.started = true;
    this.drain();
    if (!this.done) this.refreshAvailability(now);
    this.schedule(now);
  }

  receive(from: PeerId, message: Message, now: number): void {
    this.observe(now);
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'AvailabilityResponse':
        this.onAvailability(from, message);
        break;
      case 'FetchEntriesResponse':
        this.onEntries(from, message);
        break;
      case 'FetchSnapshotResponse':
        this.onSnapshotChunk(from, message);
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
    // A request unanswered for requestTimeoutMs: the peer may be gone or overloaded. Forget what
    // it said it holds, re-ask it, and let the chunk go to someone else.
    const timedOut = new Set<PeerId>();
    for (const request of this.inFlight.olderThan(now - this.requestTimeoutMs)) {
      this.counters.timeouts++;
      this.dropRequest(request);
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
    return this.snapshotFetch === null && this.out.cursor > this.target;
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
      const sf = this.snapshotFetch;
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
      phase: this.snapshotFetch ? 'snapshot' : 'log',
    };
  }

  stats(): CatchUpStats {
    return { ...this.counters, leaderEntriesDropped: this.out.leaderEntriesDropped, chunksByPeer: Object.fromEntries(this.served) };
  }

  // ---------------------------------------------------------------- replies

  private onAvailability(from: PeerId, m: AvailabilityResponse): void {
    const availability = parseAvailability(m);
    if (!availability || !this.connected.has(from) || !isRequestId(m.requestId) || !this.availability.accept(from, m.requestId, availability)) {
      this.counters.ignoredReplies++;
    }
  }

  /** The in-flight request a reply answers, or undefined (late, duplicate, or not from that peer). */
  private matchReply(from: PeerId, requestId: unknown, kind: FetchRequest['kind']): FetchRequest | undefined {
    const request = isRequestId(requestId) ? this.inFlight.get(requestId) : undefined;
    if (!request || request.kind !== kind || request.peer !== from) {
      this.counters.ignoredReplies++;
      return undefined;
    }
    this.inFlight.remove(request);
    this.answerTimes.note(from, this.lastNow - request.sentAt);
    return request;
  }

  private onEntries(from: PeerId, m: FetchEntriesResponse): void {
    const request = this.matchReply(from, m.requestId, 'entries');
    if (!request || request.kind !== 'entries') return;
    if (!entriesAnswer(m.entries, request.from, request.to)) {
      // Wrong indices or too many: this peer's answers cannot be trusted until it is asked again
      // (a later availability refresh). The range is unclaimed again, so someone else fetches it.
      this.counters.ignoredReplies++;
      this.availability.drop(from);
      return;
    }
    const received = m.entries;
    if (request.from + received.length - 1 < request.to) {
      // Empty or short: the peer holds nothing past what it sent. The rest is unclaimed again.
      this.availability.shrinkCommitted(from, request.from + received.length - 1);
    }
    if (received.length === 0) return this.reaskAfterEmpty(from);
    this.counters.entriesReceived += received.length;
    this.counters.bytesReceived += estimateEntriesBytes(received);
    this.served.set(from, (this.served.get(from) ?? 0) + 1);
    this.out.addFetched(received);
  }

  private onSnapshotChunk(from: PeerId, m: FetchSnapshotResponse): void {
    const request = this.matchReply(from, m.requestId, 'snapshot');
    if (!request || request.kind !== 'snapshot') return;
    const sf = this.snapshotFetch;
    if (!sf || sf.target.index !== request.index || sf.target.term !== request.term || sf.target.size !== request.size) {
      this.counters.ignoredReplies++; // an abandoned snapshot
      return;
    }
    const verdict = snapshotReplyVerdict(m, request, sf.target.size);
    if (verdict !== 'chunk' || !sf.accept(request.piece, m.data)) {
      sf.release(request.piece);
      this.availability.dropSnapshot(from);
      if (verdict === 'not-held') this.askAvailability(from); // it probably holds a newer one now
      else this.counters.ignoredReplies++;
      return;
    }
    this.counters.bytesReceived += m.data.length;
    this.served.set(from, (this.served.get(from) ?? 0) + 1);
    if (sf.complete) this.installSnapshot(sf);
  }

  // ---------------------------------------------------------------- scheduling

  private schedule(now: number): void {
    if (!this.started || this.done) return;
    this.considerSnapshot(now);
    if (this.snapshotFetch) this.scheduleSnapshotPieces(now);
    const lo = this.snapshotFetch ? Math.max(this.out.cursor, this.snapshotFetch.target.index + 1) : this.out.cursor;
    this.scheduleEntries(now, lo);
    this.reaskUnanswered(now);
    if (now - this.lastRefreshAt < this.requestTimeoutMs) return;
    const snapshotStalled = this.snapshotFetch !== null && this.snapshotHolders(this.snapshotFetch).length === 0;
    if (snapshotStalled || hasUncoveredNeed(this.claims, this.availability, lo, this.target)) this.refreshAvailability(now);
  }

  /**
   * Entry requests each peer may have in flight: two while at most PIPELINED_SOURCES peers besides
   * the leader serve (the second hides a lone source's round trip), one each beyond that (several
   * sources keep this peer busy already, and more requests only crowd it: in the browser, 4
   * sources with 2 each were slower than with 1 each).
   */
  private entryRequestsPerPeer(): number {
    return this.sourcesBesideLeader() <= PIPELINED_SOURCES ? ENTRY_REQUESTS_PER_PEER : 1;
  }

  /** Connected peers other than the leader: the ones that serve first. */
  private sourcesBesideLeader(): number {
    let sources = 0;
    for (const p of this.connected) if (p !== this.leader) sources++;
    return sources;
  }

  /** Peers that can take a request of `kind` now, best first: fewer requests in flight, then rankIdlePeers. */
  private idlePeers(candidates: PeerId[], now: number, kind: FetchRequest['kind']): PeerId[] {
    // The leader is asked last: not even while another peer's first availability answer is due.
    const leaderWaits = [...this.connected].some((p) => p !== this.leader && this.availability.awaitingFirstAnswer(p, now - this.requestTimeoutMs));
    const perPeer = this.entryRequestsPerPeer();
    const idle = candidates.filter((p) => this.connected.has(p) && this.inFlight.canTake(p, kind, perPeer) && !(leaderWaits && p === this.leader));
    const ranked = rankIdlePeers(idle, this.leader, (p) => this.served.get(p) ?? 0);
    return ranked.sort((a, b) => this.inFlight.countFor(a) - this.inFlight.countFor(b));
  }

  private scheduleEntries(now: number, lo: number): void {
    const lookahead = Math.max(MIN_LOOKAHEAD_CHUNKS, LOOKAHEAD_CHUNKS_PER_PEER * this.connected.size) * this.batchSize;
    const hi = Math.min(this.target, lo + lookahead - 1);
    // Fixed-size chunks of batchSize, but a gap smaller than one batch per peer is split evenly so
    // that several peers serve it in parallel (the leader is not counted: it serves last).
    const sources = Math.max(1, this.sourcesBesideLeader());
    const chunkSize = Math.min(this.batchSize, Math.ceil((this.target - this.startIndex + 1) / sources));
    for (;;) {
      const idle = this.idlePeers(this.availability.peers(), now, 'entries');
      if (idle.length === 0) return;
      const chunk = planNextChunk({
        idle,
        leader: this.leader,
        availability: this.availability,
        claims: this.claims,
        lo,
        hi,
        batchSize: chunkSize,
      });
      if (!chunk) return;
      const id = this.nextId++;
      this.send({ kind: 'entries', id, peer: chunk.peer, from: chunk.from, to: chunk.to, sentAt: now });
    }
  }

  /**
   * Snapshot mode (Raft §7): nobody holds the next needed entry any more (compacted), but some
   * peers advertise a snapshot covering it. Fetch the newest such snapshot; entries after it are
   * fetched meanwhile by peers that are not busy with snapshot pieces.
   */
  private considerSnapshot(now: number): void {
    const current = this.snapshotFetch;
    if (current) {
      if (this.snapshotHolders(current).length > 0 || this.inFlight.all().some((r) => r.kind === 'snapshot')) return;
      // No holder left: switch to the log if someone holds it again, or to another snapshot;
      // otherwise keep the pieces fetched so far and wait (schedule() asks availability again).
      if (!this.availability.anyCovers(this.out.cursor) && !this.availability.bestSnapshot(this.out.cursor)) return;
      this.pausedSnapshots.pause(current);
      this.snapshotFetch = null;
    }
    const c = this.out.cursor;
    if (c > this.target || this.out.leaderBuffer.runs.has(c) || this.inFlight.claimEnd(c) !== null) return;
    if (this.availability.anyCovers(c)) return;
    // Choose only once every peer asked has answered (or had its time): a peer answering later
    // may still hold the entries, or a newer snapshot.
    const since = now - this.requestTimeoutMs;
    if ([...this.connected].some((p) => this.availability.awaitingFirstAnswer(p, since))) return;
    const best = this.availability.bestSnapshot(c);
    if (!best) return;
    const sf = this.pausedSnapshots.resume(best) ?? new SnapshotFetch(best, this.snapshotChunkBytes);
    this.snapshotFetch = sf;
    if (sf.complete) this.installSnapshot(sf); // an empty snapshot: nothing to fetch
  }

  /** Connected peers advertising exactly the snapshot being fetched. */
  private snapshotHolders(sf: SnapshotFetch): PeerId[] {
    return this.availability.snapshotHolders(sf.target);
  }

  private scheduleSnapshotPieces(now: number): void {
    const sf = this.snapshotFetch!;
    const holders = this.snapshotHolders(sf);
    // The leader serves pieces only when it is the sole holder.
    const sources = holders.some((p) => p !== this.leader) ? holders.filter((p) => p !== this.leader) : holders;
    for (const peer of this.idlePeers(sources, now, 'snapshot')) {
      const piece = sf.nextPiece();
      if (!piece) return;
      sf.assign(piece.piece);
      const id = this.nextId++;
      const { index, term } = sf.target;
      this.send({ kind: 'snapshot', id, peer, index, term, size: sf.target.size, ...piece, sentAt: now });
    }
  }

  /**
   * An honest peer answers a range it offered with nothing only when it compacted the log since
   * (committed entries never go away otherwise); it then offers a newer snapshot. Ask it again at
   * once instead of at the next refresh, or a catch-up racing the leader's compaction waits a whole
   * request timeout. At most once per request timeout per peer, so a peer that keeps offering and
   * answering empty costs no more than the periodic refresh would.
   */
  private reaskAfterEmpty(peer: PeerId): void {
    const last = this.reaskedAt.get(peer) ?? Number.NEGATIVE_INFINITY;
    if (!this.connected.has(peer) || this.lastNow - last < this.requestTimeoutMs) return;
    this.reaskedAt.set(peer, this.lastNow);
    this.askAvailability(peer);
  }

  /**
   * An availability question is tiny and answered at once; one unanswered for a quarter of the
   * request timeout was most likely lost. Asking again then costs a few bytes, while waiting for
   * the next refresh would stall a session whose only source it is for a whole request timeout.
   */
  private reaskUnanswered(now: number): void {
    for (const peer of this.connected) {
      const asked = this.availability.openSince(peer);
      if (asked !== undefined && now - asked >= this.requestTimeoutMs / 4) this.askAvailability(peer);
    }
  }

  private refreshAvailability(now: number): void {
    this.lastRefreshAt = now;
    for (const peer of this.connected) this.askAvailability(peer);
  }

  private askAvailability(peer: PeerId): void {
    const id = this.nextId++;
    this.availability.noteAsked(peer, id, this.lastNow);
    this.counters.availabilityRequests++;
    this.outbox.push({ to: peer, message: { type: 'AvailabilityRequest', requestId: id } });
  }

  private send(request: FetchRequest): void {
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
    const sf = this.snapshotFetch;
    if (request.kind === 'snapshot' && sf && sf.target.index === request.index && sf.target.term === request.term) {
      sf.release(request.piece);
    }
  }

  // ---------------------------------------------------------------- output

  private installSnapshot(sf: SnapshotFetch): void {
    this.snapshotFetch = null;
    this.pausedSnapshots.clear();
    this.out.pushSnapshot(sf.assemble());
    this.drain();
  }

  /** Output waits while a snapshot is being fetched: it must come first. */
  private drain(): void {
    if (this.snapshotFetch) return;
    this.out.drain();
    if (this.done && this.inFlight.size > 0) this.inFlight.clear(); // their answers are no longer needed
  }

  private observe(now: number): void {
    if (typeof now === 'number' && Number.isFinite(now) && now > this.lastNow) this.lastNow = now;
  }
}
