// Leader-only state and rules: replication with per-follower flow control (§5.3), the commit rule
// (§5.4.2), heartbeats with ReadIndex rounds (thesis §6.4), check-quorum (thesis §6.2) and
// leadership transfer (thesis §3.10).
import type { AppendEntriesResponse, ForwardCommands, HeartbeatResponse } from '../messages';
import type { ClientTag, CommandEntry, LogEntry, PeerId } from '../types';
import type { EngineCore } from './node-context';
import type { TransferRefusal } from './api';
import { ClientTagIndex } from './client-tag-index';
import { MembershipChanges } from './membership-changes';
import { Progress } from './progress';
import { hasQuorum, quorumValue } from './quorum';
import { type ConfirmedRead, type ReadOrigin, ReadIndexTracker } from './read-index';

interface Transfer {
  target: PeerId;
  deadline: number;
  timeoutNowSent: boolean;
}

export class LeaderState {
  readonly progress = new Map<PeerId, Progress>();
  readonly tags = new ClientTagIndex();
  readonly reads = new ReadIndexTracker();
  readonly changes: MembershipChanges;
  /** ForwardCommands received during a transfer, answered once it ends. */
  held: { from: PeerId; message: ForwardCommands }[] = [];
  transfer: Transfer | null = null;
  /** Peers removed by a config at this index, still replicated to until they hold it. */
  readonly departing = new Map<PeerId, number>();
  private round = 0;
  private nextHeartbeatAt: number;
  /** Membership reviews keep their own clock: read rounds restart the heartbeat timer (see reviewDue). */
  private nextReviewAt: number;

  constructor(private readonly core: EngineCore, now: number) {
    this.changes = new MembershipChanges(core, this);
    this.syncPeers(now);
    this.tags.rebuild(core.log.all());
    this.nextHeartbeatAt = now + core.config.heartbeatMs;
    this.nextReviewAt = now + core.config.heartbeatMs;
  }

  /**
   * Track exactly the current members (other than self), plus peers a config just removed until they
   * hold that config (so a removed peer learns it is out and stops, thesis §4.2.2).
   */
  syncPeers(now: number): void {
    const { membership, id: self, log } = this.core;
    const others = membership.others(self);
    for (const id of others) {
      this.departing.delete(id);
      if (!this.progress.has(id)) this.progress.set(id, new Progress(log.lastIndex() + 1, now));
    }
    for (const id of [...this.progress.keys()]) {
      if (others.includes(id)) continue;
      if (!this.departing.has(id) && membership.currentIndex() > 0) this.departing.set(id, membership.currentIndex());
      if (!this.departing.has(id)) this.progress.delete(id);
    }
    for (const [id, index] of this.departing) {
      if (index > log.lastIndex() || !this.progress.has(id)) this.departing.delete(id);
    }
  }

  /** A departing peer holds the config that removed it, committed: stop replicating to it. */
  private settleDeparture(peer: PeerId, pr: Progress): void {
    const index = this.departing.get(peer);
    // It must hold the config AND know it committed (else it could never tell it was removed).
    if (index !== undefined && pr.match >= index && pr.commitSent >= index) this.dropPeer(peer);
  }

  dropPeer(peer: PeerId): void {
    if (this.core.membership.isMember(peer)) return;
    this.departing.delete(peer);
    this.progress.delete(peer);
  }

  /** Append commands in this term; returns their index range. */
  appendCommands(commands: Uint8Array[], client: ClientTag | null): { start: number; end: number } {
    const { log, term } = this.core;
    const start = log.lastIndex() + 1;
    const entries: CommandEntry[] = commands.map((data, i) => {
      const entry: CommandEntry = { kind: 'command', index: start + i, term, data };
      if (client) entry.client = { clientId: client.clientId, seq: client.seq + i };
      return entry;
    });
    this.core.appendToLog(entries);
    this.tags.add(entries);
    return { start, end: start + commands.length - 1 };
  }

  // ---------- replication ----------

  /** Send what flow control allows to `peer`. */
  replicate(peer: PeerId): void {
    const pr = this.progress.get(peer);
    if (!pr) return;
    const { log, config, commit } = this.core;
    // A follower running a catch-up session fetches from many peers: leave it to heartbeats.
    if (this.core.now < pr.catchingUpUntil) return;
    if (pr.state === 'probe') {
      if (!pr.paused) this.sendAppend(peer, pr);
      return;
    }
    while (pr.next <= log.lastIndex() && pr.canSend(config.maxInflightAppends)) {
      const entries = log.batch(pr.next, config.maxBatchEntries, config.maxBatchBytes);
      // Coalescing: while an append is out, a batch that is not full waits for its acknowledgement
      // and leaves then with whatever was proposed meanwhile, unless it carries a newer commit
      // index. Full batches (a lagging follower, bulk writes) still pipeline up to maxInflight.
      // Under load this sends a few large appends instead of many small ones: each message costs
      // both tabs a thread wake-up, and the follower persists them one batch at a time anyway.
      const partial = entries.length < config.maxBatchEntries && pr.next + entries.length - 1 === log.lastIndex();
      if (partial && pr.inflightCount() > 0 && pr.commitSent >= commit) return;
      if (!this.sendAppend(peer, pr, entries)) return;
    }
    // Nothing new to send but a newer commit index: an empty append carries it (etcd bcastAppend).
    if (pr.commitSent < commit && pr.next > log.lastIndex()) this.sendAppend(peer, pr);
  }

  broadcast(): void {
    for (const peer of this.progress.keys()) this.replicate(peer);
  }

  private sendAppend(peer: PeerId, pr: Progress, batch?: LogEntry[]): boolean {
    const { log, config } = this.core;
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = log.termAt(prevLogIndex);
    if (prevLogTerm === undefined) {
      // Compacted away: only a snapshot can help. An EMPTY append anchored at the compaction point
      // with prevLogIndex < leaderCommit tells the follower to catch up (fetch the snapshot) itself.
      this.core.send(peer, {
        type: 'AppendEntries',
        term: this.core.term,
        prevLogIndex: log.snapshotIndex,
        prevLogTerm: log.snapshotTerm,
        entries: [],
        leaderCommit: this.core.commit,
      });
      pr.becomeProbe(pr.next);
      pr.paused = true; // one such probe per heartbeat response
      return false;
    }
    const entries = batch ?? log.batch(pr.next, config.maxBatchEntries, config.maxBatchBytes);
    this.core.send(peer, {
      type: 'AppendEntries',
      term: this.core.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.core.commit,
    });
    pr.commitSent = Math.max(pr.commitSent, this.core.commit);
    pr.onSent(prevLogIndex + entries.length, entries.length);
    return true;
  }

  onAppendResponse(from: PeerId, m: AppendEntriesResponse, now: number): void {
    const pr = this.progress.get(from);
    if (!pr) return;
    pr.lastHeard = now;
    const { log } = this.core;
    if (m.catchingUp) {
      // It buffered what we sent and fetches the gap elsewhere; probe again after a while.
      pr.catchingUpUntil = now + this.core.config.electionTimeoutMs;
      pr.becomeProbe(pr.next);
      return;
    }
    pr.catchingUpUntil = -Infinity;
    if (m.success) {
      if (pr.onMatch(Math.min(m.matchIndex, log.lastIndex()))) this.maybeCommit();
      this.maybeSendTimeoutNow(from, pr);
      this.settleDeparture(from, pr);
      this.replicate(from);
      return;
    }
    // A rejection below what the follower already acknowledged is stale (reordered): ignore it.
    if (m.conflictIndex !== undefined && m.conflictIndex <= pr.match) return;
    let next = m.conflictIndex ?? pr.next - 1;
    if (m.conflictTerm !== undefined) {
      // Fast back-off (§5.3): skip the follower's whole conflicting term, or resume right after our
      // last entry of that term when we have it.
      const last = log.lastIndexOfTerm(m.conflictTerm);
      if (last > 0) next = last + 1;
    }
    const before = pr.next;
    pr.becomeProbe(Math.min(next, m.lastIndex + 1));
    // Below our compaction point the answer is a snapshot; do not ping-pong anchored probes.
    if (pr.next <= log.snapshotIndex) {
      pr.paused = true;
      return;
    }
    // Resend at once only when the rejection moved nextIndex down (we learned something). Otherwise
    // the same append would be rejected the same way: a zero-delay AppendEntries ping-pong (found
    // by the codec fuzzer); the next heartbeat response resumes the probe.
    if (pr.next >= before) {
      pr.paused = true;
      return;
    }
    this.replicate(from);
  }

  onHeartbeatResponse(from: PeerId, m: HeartbeatResponse, now: number): ConfirmedRead[] {
    const pr = this.progress.get(from);
    if (!pr) return [];
    pr.lastHeard = now;
    // A round this leadership has not sent yet answers someone else's heartbeat (an earlier
    // leadership of this peer, answered by an older version): it acknowledges none of ours.
    if (m.round <= this.round) pr.ackedRound = Math.max(pr.ackedRound, m.round);
    if (pr.state === 'probe') {
      pr.paused = false;
      if (pr.match < this.core.log.lastIndex() || m.lastIndex > pr.match) this.replicate(from);
    } else if (m.round === pr.heartbeatRound && Math.min(m.lastIndex, pr.match) < pr.sentAtHeartbeat) {
      // Appends sent before this heartbeat were lost, or their responses were: a whole heartbeat
      // round trip later they are still unacknowledged. Resend from the last index known to match
      // (resent entries are idempotent on the follower), otherwise a lost response would leave the
      // follower's commit behind forever.
      pr.becomeProbe(Math.min(m.lastIndex, pr.match) + 1);
      this.replicate(from);
    }
    return this.confirmReads();
  }

  /** §5.4.2: commit the highest index stored on a majority of voters, if it is of our term. */
  maybeCommit(): boolean {
    const { log, id, term, commit, bugs } = this.core;
    const n = quorumValue(this.core.quorumVoters(), (voter) =>
      voter === id ? this.core.persistedIndex() : (this.progress.get(voter)?.match ?? 0),
    );
    if (n <= commit) return false;
    if (!bugs.commitPreviousTerm && log.termAt(n) !== term) return false;
    this.core.advanceCommit(n);
    return true;
  }

  /** True once an entry of this term is committed (the no-op): reads may then use the commit index. */
  committedInTerm(): boolean {
    return this.core.log.termAt(this.core.commit) === this.core.term;
  }

  // ---------- heartbeats and reads ----------

  heartbeatDue(now: number): boolean {
    return now >= this.nextHeartbeatAt;
  }

  /**
   * True once per heartbeat interval: time for a membership review. Not tied to heartbeatDue(): a
   * steady stream of linearizable reads starts heartbeat rounds on its own (prepare()), which keeps
   * pushing the heartbeat timer back; reviews tied to it starved, and a departed voter stayed in
   * the configuration for many heartbeats (found by the tabs scenario).
   */
  reviewDue(now: number): boolean {
    if (now < this.nextReviewAt) return false;
    this.nextReviewAt = now + this.core.config.heartbeatMs;
    return true;
  }

  /** Start a new round: reads waiting for one get it; every follower gets a Heartbeat. */
  heartbeat(now: number): ConfirmedRead[] {
    this.round++;
    if (this.reads.hasWaiting() && this.committedInTerm()) this.reads.start(this.core.commit, this.round);
    for (const [peer, pr] of this.progress) {
      pr.sentAtHeartbeat = pr.next - 1;
      pr.heartbeatRound = this.round;
      this.core.send(peer, {
        type: 'Heartbeat',
        term: this.core.term,
        commit: Math.min(this.core.commit, pr.match),
        round: this.round,
      });
    }
    this.nextHeartbeatAt = now + this.core.config.heartbeatMs;
    return this.confirmReads();
  }

  /** A read that needs a round can start one now. */
  readRoundWanted(): boolean {
    return this.reads.hasWaiting() && this.committedInTerm();
  }

  addRead(origin: ReadOrigin, deadline: number): void {
    this.reads.add(origin, deadline);
  }

  confirmReads(): ConfirmedRead[] {
    const confirmed = quorumValue(this.core.quorumVoters(), (voter) =>
      voter === this.core.id ? this.round : (this.progress.get(voter)?.ackedRound ?? 0),
    );
    return this.reads.confirm(confirmed);
  }

  // ---------- check-quorum and transfer ----------

  /** Thesis §6.2: false when a majority of voters has been silent for an election timeout. */
  quorumActive(now: number): boolean {
    const window = this.core.config.electionTimeoutMs;
    return hasQuorum(this.core.quorumVoters(), (voter) => {
      if (voter === this.core.id) return true;
      const pr = this.progress.get(voter);
      return pr !== undefined && now - pr.lastHeard < window;
    });
  }

  /** The voter (not departed) with the highest match index, ties to the most recently heard; null when none. */
  handoffTarget(): PeerId | null {
    const { membership, id, departures } = this.core;
    let target: PeerId | null = null;
    let best: Progress | null = null;
    for (const voter of membership.voters()) {
      const pr = this.progress.get(voter);
      if (voter === id || !pr || departures.has(voter)) continue;
      if (!best || pr.match > best.match || (pr.match === best.match && pr.lastHeard > best.lastHeard)) {
        best = pr;
        target = voter;
      }
    }
    return target;
  }

  /** Begin handing leadership to `to` (or the most caught-up voter). Null when it started, else why it cannot. */
  startTransfer(to: PeerId | undefined, now: number): TransferRefusal | null {
    const { membership, id } = this.core;
    const target = to ?? this.handoffTarget() ?? undefined;
    if (target === undefined) return 'no-other-voter';
    if (target === id) return 'self';
    if (!membership.isVoter(target)) return membership.isMember(target) ? 'learner' : 'not-a-member';
    if (!this.progress.has(target)) return 'not-a-member';
    this.transfer = { target, deadline: now + this.core.config.electionTimeoutMs, timeoutNowSent: false };
    const pr = this.progress.get(target)!;
    this.maybeSendTimeoutNow(target, pr);
    if (!this.transfer.timeoutNowSent) {
      if (pr.state === 'probe') pr.paused = false;
      this.replicate(target);
    }
    return null;
  }

  private maybeSendTimeoutNow(peer: PeerId, pr: Progress): void {
    const t = this.transfer;
    if (!t || t.target !== peer || t.timeoutNowSent) return;
    if (pr.match !== this.core.log.lastIndex()) return;
    this.core.send(peer, { type: 'TimeoutNow', term: this.core.term });
    t.timeoutNowSent = true;
  }

  /** Abort a transfer that did not finish within an election timeout. True when one was aborted. */
  expireTransfer(now: number): boolean {
    if (this.transfer && now >= this.transfer.deadline) {
      this.transfer = null;
      return true;
    }
    return false;
  }

  /**
   * peerUp: resume probing at once instead of waiting for the next heartbeat. A peer outside the
   * configuration gets the log up to the current configuration: a newcomer learns the leader (and
   * asks to join), a removed peer learns it was removed and stops.
   */
  onPeerUp(peer: PeerId, now: number): void {
    const { membership, log } = this.core;
    if (!this.progress.has(peer) && !membership.isMember(peer) && membership.currentIndex() > 0) {
      this.progress.set(peer, new Progress(log.lastIndex() + 1, now));
      this.departing.set(peer, membership.currentIndex());
    }
    const pr = this.progress.get(peer);
    if (!pr) return;
    pr.becomeProbe(pr.next);
    this.replicate(peer);
  }

  onPeerDown(peer: PeerId): void {
    const pr = this.progress.get(peer);
    if (pr) {
      // Stop pipelining into the void; the next heartbeat response resumes probing.
      pr.becomeProbe(pr.next);
      pr.paused = true;
    }
  }
}
