// RaftNode: the sans-IO Raft engine. Inputs mutate state and queue output in the Outbox; the host
// drains it with ready(). Role rules live in election.ts, leader.ts and follower.ts; client
// requests (proposals, reads, forwarding) in requests.ts.
import type { InjectedBugs, RaftConfig } from '../config';
import type { Message, VoteAnswer, VoteRequest, VoteResponse } from '../messages';
import type { HardState, LeadershipPreference, LogEntry, PeerId, Random, RaftStatus, Role, Snapshot, ClientTag } from '../types';
import type { RaftEngine, RaftNodeOptions, Ready } from './api';
import type { EngineCore } from './core';
import { answerVote, randomizedElectionTimeout } from './election';
import { handleAppendEntries, handleHeartbeat, isWellFormedAppend, type Truncator } from './follower';
import { ForwardQueue } from './forwarding';
import { LeaderState } from './leader';
import { copyMembership, MembershipTracker } from './membership';
import { sameStatus } from './status';
import { DurabilityTracker, Outbox } from './outbox';
import { tallyVotes } from './quorum';
import { RaftLog } from './raft-log';
import { RequestHandler } from './requests';

export class RaftNode implements RaftEngine, EngineCore, Truncator {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly bugs: InjectedBugs;
  readonly log: RaftLog;
  readonly membership: MembershipTracker;
  readonly outbox = new Outbox();
  /** Messages dropped because they made no sense here (unknown kind, from self, ...). */
  droppedMessages = 0;

  term: number;
  /** Candidate voted for in `term` (Raft Fig. 2 votedFor). */
  vote: PeerId | null;
  commit: number;
  role: Role = 'follower';
  leaderId: PeerId | null = null;
  leader: LeaderState | null = null;
  readonly forwards = new ForwardQueue();
  now: number;

  private readonly preference: LeadershipPreference;
  private readonly random: Random;
  private readonly durability: DurabilityTracker;
  private readonly requests: RequestHandler;
  private applied: number;
  private persistedHard: HardState;
  private nextToken = 1;
  private electionDeadline: number;
  private lastLeaderContact = -Infinity;
  private votes = new Map<PeerId, VoteAnswer>();
  private lastStatus: RaftStatus | null = null;
  private latestSnapshot: Snapshot | null;
  private readonly downPeers = new Set<PeerId>();

  constructor(options: RaftNodeOptions) {
    this.id = options.id;
    this.config = options.config;
    this.bugs = options.bugs ?? {};
    this.preference = options.preference;
    this.random = options.random;
    this.now = options.now;
    const { hardState, snapshot, entries } = options.state;
    this.latestSnapshot = snapshot;
    const snapIndex = snapshot?.meta.index ?? 0;
    this.log = new RaftLog(snapIndex, snapshot?.meta.term ?? 0, entries);
    // Never re-bootstrap a peer that already has a log or snapshot.
    const bootstrap = snapshot === null && this.log.lastIndex() === 0 ? (options.bootstrap ?? null) : null;
    this.membership = new MembershipTracker(snapshot?.meta.membership ?? bootstrap, snapIndex, bootstrap !== null);
    this.membership.onAppend(this.log.all());
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.commit = Math.min(Math.max(hardState.commit, snapIndex), this.log.lastIndex());
    this.applied = snapIndex;
    this.persistedHard = { ...hardState };
    this.durability = new DurabilityTracker(this.log.lastIndex());
    // The host's state machine starts from this image; committed entries after it follow.
    this.outbox.snapshotToInstall = snapshot;
    this.requests = new RequestHandler(this);
    this.electionDeadline = this.now + randomizedElectionTimeout(this.config, this.preference, this.random, true);
  }

  // ---------- EngineCore ----------

  persistedIndex(): number {
    return this.durability.persistedIndex();
  }

  appendToLog(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    this.log.append(entries);
    this.membership.onAppend(entries);
    this.outbox.recordAppend(entries);
    if (this.leader && entries.some((e) => e.kind === 'config')) this.leader.syncPeers(this.now);
  }

  truncateLog(from: number): void {
    // follower.ts never truncates at or below the commit index (committed entries are final).
    this.log.truncateFrom(from);
    this.membership.onTruncate(from);
    this.outbox.recordTruncate(from);
    this.durability.onTruncate(from);
  }

  advanceCommit(index: number): void {
    const capped = Math.min(index, this.log.lastIndex());
    if (capped > this.commit) this.commit = capped;
  }

  send(to: PeerId, message: Message): void {
    if (to !== this.id) this.outbox.send(to, message);
  }

  // ---------- inputs ----------

  tick(now: number): void {
    this.now = now;
    this.requests.expire(now);
    if (this.leader) {
      if (this.config.checkQuorum && !this.leader.quorumActive(now)) {
        // Thesis §6.2: cut off from a majority, stop acting as leader (and serving reads).
        this.becomeFollower(this.term, null);
        return;
      }
      this.leader.expireTransfer(now);
      if (this.leader.heartbeatDue(now)) this.requests.resolveReads(this.leader.heartbeat(now));
      return;
    }
    if (now >= this.electionDeadline) {
      if (this.canCampaign()) this.campaign(this.config.preVote ? 'pre' : 'real', false);
      else this.resetElectionTimer(); // observers, learners and unconfigured peers never campaign
    }
  }

  receive(from: PeerId, message: Message, now: number): void {
    this.now = now;
    if (from === this.id) {
      this.droppedMessages++;
      return;
    }
    switch (message.type) {
      case 'PreVote':
      case 'RequestVote':
        return this.onVoteRequest(from, message);
      case 'PreVoteResponse':
      case 'RequestVoteResponse':
        return this.onVoteResponse(from, message);
      case 'AppendEntries':
      case 'Heartbeat':
      case 'TimeoutNow':
      case 'AppendEntriesResponse':
      case 'HeartbeatResponse':
        return this.onTermMessage(from, message);
      case 'ForwardCommands':
      case 'ForwardCommandsResponse':
      case 'ReadIndexRequest':
      case 'ReadIndexResponse':
        return this.requests.onMessage(from, message);
      default:
        // Catch-up and membership requests arrive with issue 3; ignore them safely for now.
        this.droppedMessages++;
    }
  }

  propose(requestId: number, commands: Uint8Array[], client: ClientTag, now: number): void {
    this.now = now;
    this.requests.propose(requestId, commands, client);
  }

  readIndex(requestId: number, now: number): void {
    this.now = now;
    this.requests.read(requestId);
  }

  transferLeadership(to: PeerId | undefined, now: number): void {
    this.now = now;
    this.leader?.startTransfer(to, now);
  }

  peerUp(id: PeerId, now: number): void {
    this.now = now;
    this.downPeers.delete(id);
    this.leader?.onPeerUp(id);
  }

  peerDown(id: PeerId, now: number): void {
    this.now = now;
    this.downPeers.add(id);
    this.leader?.onPeerDown(id);
  }

  /** Connectivity as last reported by the transport (unknown peers count as up). */
  isPeerUp(id: PeerId): boolean {
    return !this.downPeers.has(id);
  }

  storageDone(token: number): void {
    // A durable self-append may complete a quorum; prepare() re-runs the commit rule.
    this.durability.done(token);
  }

  snapshotTaken(snapshot: Snapshot): void {
    // Compaction arrives with issue 3; keep the newest snapshot so it can be served then.
    if (!this.latestSnapshot || snapshot.meta.index > this.latestSnapshot.meta.index) this.latestSnapshot = snapshot;
  }

  // ---------- output ----------

  hasReady(): boolean {
    this.prepare();
    return (
      this.outbox.hasOutput() ||
      this.outbox.hasPersistWork() ||
      this.hardStateChanged() ||
      this.commit > this.applied ||
      this.statusChanged()
    );
  }

  ready(): Ready {
    this.prepare();
    const token = this.nextToken++;
    const persist = this.outbox.takePersist();
    if (this.hardStateChanged()) {
      persist.hardState = this.hardState();
      this.persistedHard = persist.hardState;
    }
    this.durability.issued(token, this.log.lastIndex());
    const out = this.outbox.takeOutput();
    const committed = this.commit > this.applied ? this.log.slice(this.applied + 1, this.commit) : [];
    this.applied = this.commit;
    let status: RaftStatus | null = null;
    if (this.statusChanged()) {
      status = this.status();
      this.lastStatus = status;
    }
    return { token, persist, ...out, committed, status };
  }

  status(): RaftStatus {
    return {
      peerId: this.id,
      role: this.role,
      term: this.term,
      leader: this.leaderId,
      committed: this.commit,
      applied: this.applied,
      lastIndex: this.log.lastIndex(),
      online: this.role === 'leader' || this.leaderId !== null,
      members: copyMembership(this.membership.current()),
      catchUp: null,
    };
  }

  /** Work that is due whenever the host looks: commit after durable appends, read rounds, sends. */
  private prepare(): void {
    this.requests.flush();
    if (!this.leader) return;
    this.leader.maybeCommit();
    if (this.leader.readRoundWanted()) this.requests.resolveReads(this.leader.heartbeat(this.now));
    // Sending here (not on every propose) batches everything proposed since the last Ready.
    this.leader.broadcast();
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.bugs.forgetVote ? null : this.vote, commit: this.commit };
  }

  private hardStateChanged(): boolean {
    const h = this.hardState();
    return h.term !== this.persistedHard.term || h.vote !== this.persistedHard.vote || h.commit !== this.persistedHard.commit;
  }

  private statusChanged(): boolean {
    return !sameStatus(this.lastStatus, this.status());
  }

  // ---------- roles ----------

  /** Whether this peer may stand for election: a voter that is not an observer. */
  canCampaign(): boolean {
    return this.preference !== 'observer' && this.membership.isVoter(this.id);
  }

  /** Heard from a live leader (or is the leader) within the minimum election timeout. */
  inLease(): boolean {
    if (this.role === 'leader') return true;
    return this.leaderId !== null && this.now - this.lastLeaderContact < this.config.electionTimeoutMs;
  }

  private resetElectionTimer(): void {
    this.electionDeadline = this.now + randomizedElectionTimeout(this.config, this.preference, this.random, false);
  }

  becomeFollower(term: number, leader: PeerId | null): void {
    if (term > this.term) {
      this.term = term;
      this.vote = null;
      this.forwards.clearAvoid();
    }
    const former = this.leader;
    this.leader = null;
    this.role = 'follower';
    this.leaderId = leader;
    this.votes.clear();
    if (leader !== null) this.lastLeaderContact = this.now;
    if (former) this.requests.onLeadershipLost(former);
    this.resetElectionTimer();
  }

  private campaign(kind: 'pre' | 'real', transfer: boolean): void {
    this.leaderId = null;
    this.votes = new Map([[this.id, 'granted']]);
    this.resetElectionTimer();
    let request: VoteRequest;
    if (kind === 'pre') {
      // Thesis §9.6: ask first whether we could win, without touching anyone's term.
      this.role = 'pre-candidate';
      request = { type: 'PreVote', term: this.term + 1, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm() };
    } else {
      this.role = 'candidate';
      this.term += 1;
      this.vote = this.id;
      this.forwards.clearAvoid();
      request = { type: 'RequestVote', term: this.term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm() };
      if (transfer) request.transfer = true;
    }
    for (const voter of this.membership.voters()) this.send(voter, request);
    this.checkElection();
  }

  private checkElection(): void {
    const outcome = tallyVotes(this.membership.voters(), this.votes);
    if (outcome === 'won') {
      if (this.role === 'pre-candidate') this.campaign('real', false);
      else this.becomeLeader();
    } else if (outcome === 'lost') {
      this.becomeFollower(this.term, null);
    }
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.votes.clear();
    this.leader = new LeaderState(this, this.now);
    const entries: LogEntry[] = [];
    const next = () => this.log.lastIndex() + entries.length + 1;
    // The first leader writes the bootstrap configuration into the log so it survives restarts.
    if (this.membership.needsLogging()) {
      entries.push({ kind: 'config', index: next(), term: this.term, membership: copyMembership(this.membership.current()) });
    }
    // §8 / §5.4.2: an entry of our own term lets earlier entries commit and enables ReadIndex.
    if (!this.bugs.noNoopOnElection) entries.push({ kind: 'noop', index: next(), term: this.term });
    this.appendToLog(entries);
  }

  // ---------- message handlers ----------

  private onVoteRequest(from: PeerId, m: VoteRequest): void {
    if (m.type === 'RequestVote' && m.term > this.term) {
      // Leader lease (thesis §4.2.3): a live leader's followers ignore disruptive candidates.
      if (this.inLease() && !m.transfer) return;
      this.becomeFollower(m.term, null);
    }
    const answer = answerVote(from, m, {
      canVote: this.canCampaign(),
      currentTerm: this.term,
      votedFor: this.vote,
      inLease: this.inLease(),
      candidateUpToDate: this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm),
    });
    if (answer === 'ignore') return;
    if (m.type === 'RequestVote' && answer === 'granted') {
      this.vote = from; // persisted in the same Ready that carries the response
      this.resetElectionTimer();
    }
    const response: VoteResponse =
      m.type === 'PreVote'
        ? { type: 'PreVoteResponse', term: answer === 'denied' ? this.term : m.term, vote: answer }
        : { type: 'RequestVoteResponse', term: this.term, vote: answer };
    this.send(from, response);
  }

  private onVoteResponse(from: PeerId, m: VoteResponse): void {
    if (m.type === 'PreVoteResponse') {
      // Grants and abstentions echo the proposed term; a denial carries the voter's own term.
      if (m.vote === 'denied' && m.term > this.term) this.becomeFollower(m.term, null);
      else if (this.role === 'pre-candidate' && (m.term === this.term + 1 || m.vote === 'denied')) this.recordVote(from, m.vote);
      return;
    }
    if (m.term > this.term) this.becomeFollower(m.term, null);
    else if (m.term === this.term && this.role === 'candidate') this.recordVote(from, m.vote);
  }

  private recordVote(from: PeerId, answer: VoteAnswer): void {
    if (!this.membership.isVoter(from)) return;
    this.votes.set(from, answer);
    this.checkElection();
  }

  private onTermMessage(from: PeerId, m: Extract<Message, { term: number }>): void {
    if (m.type === 'AppendEntries' && !isWellFormedAppend(m)) {
      this.droppedMessages++;
      return;
    }
    if (m.term > this.term) {
      this.becomeFollower(m.term, m.type === 'AppendEntries' || m.type === 'Heartbeat' ? from : null);
    } else if (m.term < this.term) {
      // A stale leader learns our newer term from the answer and steps down.
      if (m.type === 'AppendEntries') {
        this.send(from, { type: 'AppendEntriesResponse', term: this.term, success: false, matchIndex: 0, lastIndex: this.log.lastIndex() });
      } else if (m.type === 'Heartbeat') {
        this.send(from, { type: 'HeartbeatResponse', term: this.term, round: m.round, lastIndex: this.log.lastIndex() });
      }
      return;
    }
    switch (m.type) {
      case 'AppendEntries':
      case 'Heartbeat': {
        if (this.role === 'leader') {
          this.droppedMessages++; // two leaders in one term cannot happen; never trust it
          return;
        }
        if (this.role !== 'follower' || this.leaderId !== from) this.becomeFollower(this.term, from);
        this.lastLeaderContact = this.now;
        this.resetElectionTimer();
        this.send(from, m.type === 'AppendEntries' ? handleAppendEntries(this, m) : handleHeartbeat(this, m));
        return;
      }
      case 'TimeoutNow':
        // Thesis §3.10: campaign at once, skipping pre-vote; voters will not ignore it.
        if (this.role !== 'leader' && this.canCampaign()) this.campaign('real', true);
        return;
      case 'AppendEntriesResponse':
        this.leader?.onAppendResponse(from, m, this.now);
        return;
      case 'HeartbeatResponse':
        if (this.leader) this.requests.resolveReads(this.leader.onHeartbeatResponse(from, m, this.now));
        return;
      default:
        this.droppedMessages++;
    }
  }
}
