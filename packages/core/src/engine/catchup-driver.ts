// Follower side of multi-peer catch-up: when the leader's AppendEntries reveal a gap
// too large for plain replication (or below the leader's compaction point), the follower goes
// offline and runs a CatchUpSession that fetches committed chunks (or a snapshot) from many peers.
// Meanwhile the leader's appends are buffered in the session and answered with `catchingUp`, so the
// leader only sends heartbeats; output is appended through the normal persist path.
//
// Safety: the session starts right after our COMMIT index (not our last index): entries after it
// may be a deposed leader's, so each output entry is compared with ours and a term conflict
// truncates, exactly as an AppendEntries would (§5.3). Fetched entries are committed on their
// server, hence the same everywhere (§5.4); the commit index never passes min(leader's commit,
// last output index).
import type { CatchUpOutput, CatchUpSessionApi, CatchUpSessionOptions } from '../catchup/api';
import { estimateEntriesBytes } from '../catchup/entry-size';
import { answerCatchUpRequest, type CatchUpSource } from '../catchup/responder';
import type { AppendEntries, AppendEntriesResponse, Message } from '../messages';
import type { CatchUpProgress, LogEntry, PeerId, Random, Snapshot } from '../types';
import type { EngineCore, LogRepair, PeerDirectory, RoleView } from './node-context';
import type { SnapshotKeeper } from './snapshots';

/** What catch-up uses of RaftNode: the log and commit index it extends, the peers to fetch from, the leader. */
export interface CatchUpHost
  extends Pick<EngineCore, 'id' | 'config' | 'log' | 'term' | 'commit' | 'now' | 'send' | 'appendToLog' | 'advanceCommit'>,
    LogRepair,
    Pick<PeerDirectory, 'reportedPeers' | 'connectedPeers'>,
    Pick<RoleView, 'leaderId' | 'inLease'> {
  /** The latest snapshot, served to other peers' catch-up. */
  readonly snapshots: Pick<SnapshotKeeper, 'latest'>;
}

export type CatchUpSessionFactory = (options: CatchUpSessionOptions) => CatchUpSessionApi;

/**
 * Request ids of successive sessions live in disjoint ranges, so late replies never match; the
 * first range is drawn at random per incarnation, so replies sent to a peer before it restarted
 * (almost surely) match nothing either. 2^18 ranges of 2^30 ids stay within the wire's integers.
 */
const REQUEST_ID_STRIDE = 2 ** 30;
const REQUEST_ID_RANGES = 2 ** 18;

export class CatchUpDriver {
  /** Sessions started (tests and counters). */
  sessions = 0;
  /** Stats of the last finished or aborted session (tests and benchmarks). */
  lastStats: ReturnType<CatchUpSessionApi['stats']> | null = null;
  private session: CatchUpSessionApi | null = null;
  /** The running session fetches toward departed voters' claims, with no leader (see startTowardClaims). */
  private leaderless = false;
  private lastLeaderlessStart = Number.NEGATIVE_INFINITY;
  private leaderCommit = 0;
  private gapSince: { lastIndex: number; at: number } | null = null;
  /** First time an empty append anchored at the leader's commit index did not match us. */
  private anchorSince: { index: number; at: number } | null = null;

  private readonly firstRange: number;

  constructor(
    private readonly node: CatchUpHost,
    private readonly create: CatchUpSessionFactory,
    random: Random,
  ) {
    this.firstRange = Math.floor(random() * REQUEST_ID_RANGES);
  }

  get active(): boolean {
    return this.session !== null;
  }

  /** The running session follows no leader (it fetches toward departed voters' claims). */
  get leaderlessActive(): boolean {
    return this.session !== null && this.leaderless;
  }

  progress(): CatchUpProgress | null {
    return this.session ? this.session.progress() : null;
  }

  stats(): ReturnType<CatchUpSessionApi['stats']> | null {
    return this.session ? this.session.stats() : this.lastStats;
  }

  /** An AppendEntries from the current leader: the catching-up answer, or null for normal handling. */
  onAppend(m: AppendEntries): AppendEntriesResponse | null {
    const { node } = this;
    if (this.leaderless) this.abort(); // a leader is back: replication (or its own session) takes over
    if (!this.session && !this.shouldStart(m)) return null;
    if (!this.session) this.start(m);
    const session = this.session!;
    this.leaderCommit = Math.max(this.leaderCommit, m.leaderCommit);
    session.extendTarget(m.leaderCommit);
    if (m.entries.length > 0) session.bufferFromLeader(m.entries, m.prevLogTerm);
    return { type: 'AppendEntriesResponse', term: node.term, success: false, matchIndex: 0, lastIndex: node.log.lastIndex(), catchingUp: true };
  }

  /**
   * Start when: the gap beyond our log exceeds catchUpThreshold; or the leader sent an empty append
   * anchored below its commit that does not match us (it compacted what we need), or at its commit
   * for an election timeout; or a gap has not
   * moved for an election timeout (whatever the reason, replication is not filling it).
   */
  private shouldStart(m: AppendEntries): boolean {
    const { node } = this;
    const last = node.log.lastIndex();
    if (m.leaderCommit <= node.commit) return false;
    const gap = m.prevLogIndex > last;
    if (m.entries.length === 0 && !node.log.matches(m.prevLogIndex, m.prevLogTerm)) {
      if (m.prevLogIndex < m.leaderCommit) return true;
      // A leader that itself installed a snapshot has its compaction point AT its commit index until
      // it commits again, which may need this very follower (found by the churn scenario: a follower
      // whose conflicting tail ended there waited forever). An idle leader's empty append looks the
      // same but back-off resolves it within a round trip; the same mismatch for an election
      // timeout means it is the compaction point: fetch the snapshot.
      if (m.prevLogIndex === m.leaderCommit) {
        if (this.anchorSince === null || this.anchorSince.index !== m.prevLogIndex) this.anchorSince = { index: m.prevLogIndex, at: node.now };
        else if (node.now - this.anchorSince.at >= node.config.electionTimeoutMs) return true;
      }
    } else {
      this.anchorSince = null;
    }
    if (!gap) {
      this.gapSince = null;
      return false;
    }
    if (m.leaderCommit - last > node.config.catchUpThreshold) return true;
    if (this.gapSince === null || this.gapSince.lastIndex !== last) {
      this.gapSince = { lastIndex: last, at: node.now };
      return false;
    }
    return node.now - this.gapSince.at >= node.config.electionTimeoutMs;
  }

  private start(m: AppendEntries): void {
    this.leaderCommit = m.leaderCommit;
    this.open(m.leaderCommit);
  }

  /**
   * No leader, and departed voters' claims are ahead of our log: until we hold their committed
   * entries we cannot leave them out of a quorum (departures.ts), and with too few live voters no
   * election can succeed. Peers that are still here serve committed entries (the same on every
   * peer, §5.4), so fetch up to the highest claim from them, at most once per election timeout.
   */
  startTowardClaims(target: number): void {
    const { node } = this;
    if (this.session || target <= node.commit || node.now - this.lastLeaderlessStart < node.config.electionTimeoutMs) return;
    if (node.reportedPeers().length === 0) return;
    this.lastLeaderlessStart = node.now;
    this.leaderCommit = target;
    this.leaderless = true;
    this.open(target);
  }

  private open(target: number): void {
    const { node } = this;
    const { config } = node;
    this.sessions++;
    this.gapSince = null;
    this.anchorSince = null;
    const from = Math.max(node.commit, node.log.snapshotIndex) + 1;
    this.session = this.create({
      self: node.id,
      leader: node.leaderId,
      peers: this.sources(),
      from,
      prevTerm: node.log.termAt(from - 1) ?? 0,
      to: target,
      localSnapshotIndex: node.log.snapshotIndex,
      batchSize: Math.max(1, config.catchUpBatchSize),
      requestTimeoutMs: Math.max(1, config.catchUpRequestTimeoutMs),
      snapshotChunkBytes: Math.max(1, config.snapshotChunkBytes),
      entryBytesHint: commandBytesHint(node.log.slice(Math.max(node.log.firstIndex(), node.log.lastIndex() - HINT_ENTRIES + 1), node.log.lastIndex())),
      firstRequestId: ((this.firstRange + this.sessions) % REQUEST_ID_RANGES) * REQUEST_ID_STRIDE,
      now: node.now,
    });
    this.session.start(node.now);
  }

  /**
   * Who may serve: the peers the transport reports connected (and the leader), or every member when
   * the transport reported none. A log started from an old slot names members that are long gone,
   * and waiting for their first answers would stall the session for a request timeout.
   */
  private sources(): PeerId[] {
    const { node } = this;
    const reported = node.reportedPeers();
    if (reported.length === 0) return node.connectedPeers();
    if (node.leaderId !== null && node.leaderId !== node.id && !reported.includes(node.leaderId)) reported.push(node.leaderId);
    return reported;
  }

  /** Serve another peer's catch-up: committed entries of our log and our latest snapshot. */
  serve(from: PeerId, message: Message): void {
    const reply = answerCatchUpRequest(this.source, message);
    if (reply) this.node.send(from, reply);
  }

  private readonly source: CatchUpSource = {
    term: () => this.node.term,
    firstIndex: () => this.node.log.firstIndex(),
    committed: () => this.node.commit,
    entries: (from, to) => this.node.log.slice(from, to),
    snapshot: () => this.node.snapshots.latest,
  };

  receive(from: PeerId, message: Message): void {
    this.session?.receive(from, message, this.node.now);
  }

  tick(now: number): void {
    if (!this.session) return;
    // Without a live leader there is no target to trust and the peer must be free to vote and campaign
    // (a session toward departed voters' claims has no leader by design; it ends when one appears).
    if (!this.leaderless && !this.node.inLease()) return this.abort();
    this.session.tick(now);
  }

  peerUp(id: PeerId): void {
    this.session?.peerUp(id, this.node.now);
  }

  peerDown(id: PeerId): void {
    this.session?.peerDown(id, this.node.now);
  }

  /** The leader or term changed: buffered appends may be stale; the next leader starts afresh. */
  abort(): void {
    if (!this.session) return;
    this.lastStats = this.session.stats();
    this.session = null;
    this.leaderless = false;
    this.gapSince = null;
  }

  /** Send the session's requests and apply its output (called before every Ready). */
  pump(): void {
    const session = this.session;
    if (!session) return;
    for (const { to, message } of session.takeOutbox()) this.node.send(to, message);
    for (const output of session.takeOutput()) {
      if (!this.apply(output)) return this.abort();
    }
    if (session.done) this.finish();
  }

  private apply(output: CatchUpOutput): boolean {
    const { node } = this;
    if (output.kind === 'snapshot') return this.install(output.snapshot);
    let last = node.commit;
    const fresh: LogEntry[] = [];
    for (const entry of output.entries) {
      if (entry.index <= node.log.snapshotIndex) continue;
      if (fresh.length === 0) {
        const ours = node.log.termAt(entry.index);
        if (ours === entry.term) {
          last = entry.index; // already held (same index and term: the same entry, §5.3)
          continue;
        }
        if (ours !== undefined) {
          if (entry.index <= node.commit) return false; // a committed entry differs: never trust this output
          node.truncateLog(entry.index);
        }
      }
      if (entry.index !== node.log.lastIndex() + 1 + fresh.length) return false;
      fresh.push(entry);
      last = entry.index;
    }
    node.appendToLog(fresh);
    node.advanceCommit(Math.min(this.leaderCommit, last));
    return true;
  }

  private install(snapshot: Snapshot): boolean {
    const { node } = this;
    if (snapshot.meta.index <= node.commit) return true; // our log already covers it
    node.installSnapshot(snapshot);
    return true;
  }

  /** Done: back to replication; tell the leader where our log ends so it resumes from there. */
  private finish(): void {
    const { node } = this;
    this.lastStats = this.session!.stats();
    this.session = null;
    this.leaderless = false;
    const leader = node.leaderId;
    if (leader === null || leader === node.id) return;
    const lastIndex = node.log.lastIndex();
    node.send(leader, { type: 'AppendEntriesResponse', term: node.term, success: false, matchIndex: 0, conflictIndex: lastIndex + 1, lastIndex });
  }
}

/** How many of its latest entries a follower looks at to guess the size of those it will fetch. */
const HINT_ENTRIES = 64;

/**
 * The average wire size of the commands among `entries`, or undefined when there are none: no-ops
 * and configurations say nothing about the commands a session will fetch.
 */
function commandBytesHint(entries: readonly LogEntry[]): number | undefined {
  const commands = entries.filter((e) => e.kind === 'command');
  return commands.length > 0 ? estimateEntriesBytes(commands) / commands.length : undefined;
}
