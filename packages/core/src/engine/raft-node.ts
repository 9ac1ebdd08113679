// RaftNode: the sans-IO Raft engine. Inputs mutate state and queue output in the Outbox; the host
// drains it with ready(). Role rules live in candidacy.ts, leader.ts and follower.ts; client
// requests (proposals, reads, forwarding) in requests.ts; membership in membership-*.ts; snapshots
// in snapshots.ts; catch-up in catchup-driver.ts.
import { CatchUpSession } from '../catchup/index';
import type { InjectedBugs, RaftConfig } from '../config';
import { injectedBugsOf } from '../injected-bugs';
import type { Message, VoteAnswer, VoteRequest } from '../messages';
import type { ClientTag, HardState, LeadershipPreference, LogEntry, PeerId, Random, RaftStatus, Role, Snapshot } from '../types';
import type { DeparturePlan, RaftEngine, RaftNodeOptions, Ready } from './api';
import { campaign, onVoteRequest, onVoteResponse, resendVoteRequests } from './candidacy';
import { CatchUpDriver, type CatchUpSessionFactory } from './catchup-driver';
import type { EngineCore } from './core';
import { admitsTerm, emptyRefusals, messageTerm, type Refusals } from './bounds';
import { DepartureHandler } from './departure-handler';
import { DepartureBook } from './departures';
import { randomizedElectionTimeout } from './election';
import type { Truncator } from './follower';
import { ForwardQueue, firstForwardWireId } from './forwarding';
import { LeaderState } from './leader';
import { MembershipClient } from './membership-client';
import { copyMembership, MembershipTracker } from './membership';
import { DurabilityTracker, Outbox } from './outbox';
import { RequestHandler } from './requests';
import { RaftLog } from './raft-log';
import { SnapshotKeeper } from './snapshots';
import { sameStatus } from './status';
import { onTermMessage } from './term-messages';

/** Test seam: RaftNodeOptions plus a catch-up session factory (defaults to CatchUpSession). */
export interface RaftNodeInternals {
  createCatchUpSession?: CatchUpSessionFactory;
}

export class RaftNode implements RaftEngine, EngineCore, Truncator {
  readonly id: PeerId;
  readonly config: RaftConfig;
  readonly bugs: InjectedBugs;
  readonly log: RaftLog;
  readonly membership: MembershipTracker;
  readonly outbox = new Outbox();
  readonly snapshots: SnapshotKeeper;
  readonly catchUp: CatchUpDriver;
  readonly members: MembershipClient;
  readonly departures = new DepartureBook();
  readonly departureHandler: DepartureHandler;
  /** Messages dropped because they made no sense here (unknown kind, from self, ...). */
  droppedMessages = 0;
  /** What the wire limits made this engine refuse (bounds.ts). */
  readonly refusals: Refusals = emptyRefusals();
  /** This peer departed (depart()): it never votes, acknowledges or sends again. */
  departed = false;

  term: number;
  /** Candidate voted for in `term` (Raft Fig. 2 votedFor). */
  vote: PeerId | null;
  commit: number;
  role: Role = 'follower';
  leaderId: PeerId | null = null;
  leader: LeaderState | null = null;
  votes = new Map<PeerId, VoteAnswer>();
  /** The running campaign's request, re-sent to silent voters (candidacy.ts resendVoteRequests). */
  voteRequest: { request: VoteRequest; resendAt: number } | null = null;
  readonly forwards: ForwardQueue;
  now: number;

  private readonly preference: LeadershipPreference;
  private readonly random: Random;
  private readonly durability: DurabilityTracker;
  readonly requests: RequestHandler;
  private applied: number;
  private persistedHard: HardState;
  private nextToken = 1;
  private electionDeadline: number;
  /** Last time the leader of the current term was heard (leader lease, thesis §4.2.3). */
  lastLeaderContact = -Infinity;
  private lastStatus: RaftStatus | null = null;
  private readonly downPeers = new Set<PeerId>();
  private readonly knownPeers = new Set<PeerId>();
  private bootstrapDeferred = false;
  /** As leader: the last index of the log inherited when elected (a departing leader's final position covers it). */
  inheritedEnd = 0;

  constructor(options: RaftNodeOptions & RaftNodeInternals) {
    this.id = options.id;
    this.config = options.config;
    this.bugs = injectedBugsOf(options); // test-only switches (@meshraft/core/testing withInjectedBugs)
    this.preference = options.preference;
    this.random = options.random;
    this.now = options.now;
    // Request ids on the wire start at a random point per incarnation (see ForwardQueue).
    this.forwards = new ForwardQueue(firstForwardWireId(this.random));
    const { hardState, snapshot, entries } = options.state;
    this.snapshots = new SnapshotKeeper(snapshot);
    const snapIndex = snapshot?.meta.index ?? 0;
    this.log = new RaftLog(snapIndex, snapshot?.meta.term ?? 0, entries);
    // Never re-bootstrap a peer that already has a log or snapshot.
    const bootstrap = snapshot === null && this.log.lastIndex() === 0 ? (options.bootstrap ?? null) : null;
    this.membership = new MembershipTracker(snapshot?.meta.membership ?? bootstrap, snapIndex, bootstrap !== null);
    this.membership.onAppend(this.log.all());
    const refounding = options.refound === true && (snapshot !== null || this.log.lastIndex() > 0);
    if (refounding) {
      // Learners stay (a tab still syncing goes on syncing from the new leader); departed ones are
      // removed as soon as their notices arrive, silent ones by auto-removal.
      const learners = this.membership.current().learners.filter((l) => l !== this.id);
      this.membership.refound({ voters: [this.id], learners });
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.commit = Math.min(Math.max(hardState.commit, snapIndex), this.log.lastIndex());
    this.applied = snapIndex;
    this.persistedHard = { ...hardState };
    this.durability = new DurabilityTracker(this.log.lastIndex());
    // The host's state machine starts from this image; committed entries after it follow.
    this.outbox.snapshotToInstall = snapshot;
    this.requests = new RequestHandler(this);
    this.members = new MembershipClient(this, this.preference === 'observer');
    this.catchUp = new CatchUpDriver(this, options.createCatchUpSession ?? ((o) => new CatchUpSession(o)), this.random);
    this.departureHandler = new DepartureHandler(this);
    // The only voter of a configuration nobody else can be in (the startup rules saw every voter
    // gone and the room empty) has no leader to hear from first: it campaigns at its first tick.
    this.electionDeadline = refounding ? this.now : this.now + randomizedElectionTimeout(this.config, this.preference, this.random, true);
  }

  // ---------- EngineCore ----------

  persistedIndex(): number {
    return this.durability.persistedIndex();
  }

  appendToLog(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    // Replicated entries from an existing group replace a not-yet-logged bootstrap configuration.
    if (!this.leader && this.membership.needsLogging()) this.abandonBootstrap();
    this.log.append(entries);
    this.membership.onAppend(entries);
    this.outbox.recordAppend(entries);
    if (this.leader && entries.some((e) => e.kind === 'config')) this.leader.syncPeers(this.now);
  }

  truncateLog(from: number): void {
    // Callers never truncate at or below the commit index (committed entries are final).
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
    if (to !== this.id && !this.departed) this.outbox.send(to, message);
  }

  quorumVoters(): PeerId[] {
    return this.departures.effectiveVoters(this.membership.voters(), this.log, this.id);
  }

  /** Install a snapshot fetched by catch-up (§7); persisted atomically in one batch. */
  installSnapshot(snapshot: Snapshot): void {
    const { index, term, membership } = snapshot.meta;
    if (index < this.log.lastIndex() && this.log.termAt(index) === term) {
      // §7: a log that agrees with the snapshot at its index KEEPS the entries after it. They may be
      // committed, with this peer's acknowledgement counted in their quorum: dropping them could
      // leave a committed entry on a minority (found by the simulator's churn scenario).
      this.log.compact(index);
      this.membership.onCompact(index);
      this.outbox.recordSnapshot(snapshot, false);
    } else {
      this.log.reset(index, term);
      this.membership.reset(membership, index);
      this.durability.onTruncate(index + 1);
      this.outbox.recordSnapshot(snapshot, true);
    }
    this.outbox.snapshotToInstall = snapshot;
    this.snapshots.installed(snapshot);
    this.commit = Math.max(this.commit, index);
    this.applied = Math.max(this.applied, index);
  }

  private abandonBootstrap(): void {
    this.membership.abandonBootstrap();
    this.members.deferringBootstrap = false;
  }

  // ---------- inputs ----------

  tick(now: number): void {
    this.now = now;
    if (this.departed) return;
    this.departureHandler.tick();
    this.requests.expire(now);
    this.catchUp.tick(now);
    this.members.tick(now);
    if (this.leader) {
      if (this.config.checkQuorum && !this.leader.quorumActive(now)) {
        // Thesis §6.2: cut off from a majority, stop acting as leader (and serving reads).
        this.becomeFollower(this.term, null);
        return;
      }
      this.leader.expireTransfer(now);
      if (this.leader.heartbeatDue(now)) this.requests.resolveReads(this.leader.heartbeat(now));
      if (this.leader.reviewDue(now)) {
        if (!this.members.leaving) this.leader.changes.review(now);
        else if (!this.leader.transfer) this.leader.startTransfer(undefined, now);
      }
      return;
    }
    // The last voter left (every other one departed, its position covered) has nobody to wait for:
    // a vote it granted, or a candidate's request, must not hold it back a whole election timeout.
    if (this.role === 'follower' && this.leaderId === null && this.soleVoter()) this.electionDeadline = Math.min(this.electionDeadline, now);
    if (now < this.electionDeadline) {
      resendVoteRequests(this);
      return;
    }
    if (this.catchUp.active || !this.canCampaign()) {
      // Catching up, observers, learners and unconfigured peers never campaign. They still stop
      // believing in a leader silent for a whole election timeout: otherwise a learner whose leader
      // died keeps sending its join/promotion requests to the dead leader, and a new leader whose
      // configuration lacks it never contacts it, so it never rejoins (found by the churn scenario).
      if (this.leaderId !== null && !this.inLease()) this.leaderId = null;
      this.resetElectionTimer();
    } else if (!this.bootstrapDeferred && this.members.shouldDeferBootstrap()) {
      // Several peers may have been told the room was empty: the one with the smallest id among the
      // peers it can see bootstraps; the others first try to join it (for one more timeout).
      this.bootstrapDeferred = true;
      this.members.deferringBootstrap = true;
      this.electionDeadline = now + randomizedElectionTimeout(this.config, this.preference, this.random, true);
      this.members.kick(now);
    } else {
      this.members.deferringBootstrap = false;
      campaign(this, this.config.preVote ? 'pre' : 'real', false);
    }
  }

  receive(from: PeerId, message: Message, now: number): void {
    this.now = now;
    // Nothing from ourselves, nothing once we departed, nothing from a peer after its Departure (it
    // promised silence; a stray frame must not count as a vote or an acknowledgement). Except its
    // last frames (DeparturePlan): sent just before its notice, they may arrive after a copy of the
    // notice another peer passed on. TimeoutNow counts for nothing (it only makes us campaign; votes
    // decide); a last AppendEntries is taken for its entries only (DepartureHandler.onLastAppend).
    const lastFrame = message.type === 'Departure' || message.type === 'TimeoutNow' || message.type === 'AppendEntries';
    const silenced = this.departures.everDeparted(from) && !lastFrame;
    if (from === this.id || this.departed || silenced) {
      this.droppedMessages++;
      return;
    }
    if (!admitsTerm(messageTerm(message), this.term, from, this.membership)) {
      this.refusals.termJumps++;
      this.droppedMessages++;
      return;
    }
    switch (message.type) {
      case 'Departure':
        return this.departureHandler.onDeparture(from, message);
      case 'PreVote':
      case 'RequestVote':
        return onVoteRequest(this, from, message);
      case 'PreVoteResponse':
      case 'RequestVoteResponse':
        return onVoteResponse(this, from, message);
      case 'AppendEntries':
        if (this.departures.everDeparted(from)) return this.departureHandler.onLastAppend(message);
        return onTermMessage(this, from, message);
      case 'Heartbeat':
      case 'TimeoutNow':
      case 'AppendEntriesResponse':
      case 'HeartbeatResponse':
        return onTermMessage(this, from, message);
      case 'ForwardCommands':
      case 'ForwardCommandsResponse':
      case 'ReadIndexRequest':
      case 'ReadIndexResponse':
        return this.requests.onMessage(from, message);
      case 'AvailabilityRequest':
      case 'FetchEntriesRequest':
      case 'FetchSnapshotRequest':
        return this.catchUp.serve(from, message);
      case 'AvailabilityResponse':
      case 'FetchEntriesResponse':
      case 'FetchSnapshotResponse':
        // Fig. 2: a newer term from any peer means whoever we follow is deposed. Without this a
        // peer catching up under a stale leader could trust that leader's entries (and its commit
        // index) while fetching the newer term's committed log from everyone else.
        if (message.senderTerm > this.term) this.becomeFollower(message.senderTerm, null);
        return this.catchUp.receive(from, message);
      case 'JoinRequest':
      case 'LeaveRequest': {
        const changes = this.leader?.changes;
        if (changes) this.send(from, message.type === 'JoinRequest' ? changes.onJoin(from, message) : changes.onLeave(from, message));
        else this.send(from, { type: 'MembershipResponse', requestId: message.requestId, ...this.requests.notLeader() });
        return;
      }
      case 'MembershipResponse':
        return this.members.onResponse(from, message, now);
      default:
        this.droppedMessages++;
    }
  }

  propose(requestId: number, commands: Uint8Array[], client: ClientTag, now: number): void {
    this.now = now;
    if (this.members.removed) this.outbox.proposals.push({ requestId, ok: false, error: 'removed' });
    else this.requests.propose(requestId, commands, client);
  }

  readIndex(requestId: number, now: number): void {
    this.now = now;
    if (this.members.removed) this.outbox.reads.push({ requestId, ok: false, error: 'removed' });
    else this.requests.read(requestId);
  }

  transferLeadership(to: PeerId | undefined, now: number): void {
    this.now = now;
    this.leader?.startTransfer(to, now);
  }

  /** Leave the group: a leader hands over first; then the leader of the day removes this peer. */
  leave(now: number): void {
    this.now = now;
    this.members.leaving = true;
    if (this.leader) this.leader.startTransfer(undefined, now);
    else this.members.kick(now);
  }

  peerUp(id: PeerId, now: number): void {
    this.now = now;
    if (id === this.id) return;
    this.downPeers.delete(id);
    this.knownPeers.add(id);
    // A peer that was not connected when a member departed (a new tab, a restart) never got the
    // notice; without it a departed voter would count for its quorums forever.
    this.departureHandler.passOnTo(id);
    this.leader?.onPeerUp(id, now);
    this.catchUp.peerUp(id);
    this.members.onPeerUp(id, now);
  }

  peerDown(id: PeerId, now: number): void {
    this.now = now;
    this.downPeers.add(id);
    // What we forwarded to the leader is lost with the link: send it again once a leader is reachable.
    if (id === this.leaderId) this.forwards.requeueWhere((sentTo) => sentTo === id);
    this.leader?.onPeerDown(id);
    this.catchUp.peerDown(id);
  }

  /** What this peer sends if it departs now (see DepartureHandler.plan()). */
  departurePlan(): DeparturePlan {
    return this.departureHandler.plan();
  }

  /** Depart for good: from now on this engine sends nothing and takes no input (see departurePlan()). */
  depart(now: number): DeparturePlan {
    this.now = now;
    const plan = this.departurePlan();
    this.departed = true;
    this.outbox.takeOutput();
    return plan;
  }

  /** Connectivity as last reported by the transport (unknown peers count as up). */
  isPeerUp(id: PeerId): boolean {
    return !this.downPeers.has(id);
  }

  /** Peers the transport reported up (and not down since). */
  reportedPeers(): PeerId[] {
    return [...this.knownPeers].filter((p) => p !== this.id && !this.downPeers.has(p)).sort();
  }

  /** Peers believed reachable: members and peers the transport reported, minus those reported down. */
  connectedPeers(): PeerId[] {
    const all = new Set<PeerId>([...this.membership.others(this.id), ...this.knownPeers]);
    if (this.leaderId !== null) all.add(this.leaderId);
    return [...all].filter((p) => p !== this.id && !this.downPeers.has(p)).sort();
  }

  storageDone(token: number): void {
    // A durable self-append may complete a quorum; prepare() re-runs the commit rule.
    this.durability.done(token);
  }

  snapshotTaken(snapshot: Snapshot): void {
    const stored = this.snapshots.accept(this, snapshot, this.applied);
    if (stored) this.outbox.recordSnapshot(stored, false);
  }

  // ---------- output ----------

  hasReady(): boolean {
    if (this.departed) return false;
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
    const committed = this.commit > this.applied ? this.log.slice(this.applied + 1, this.commit) : [];
    this.applied = Math.max(this.applied, this.commit);
    const request = this.snapshots.request(this, this.applied);
    if (request) this.outbox.snapshotRequest = request;
    const out = this.outbox.takeOutput();
    let status: RaftStatus | null = null;
    if (this.statusChanged()) {
      status = this.status();
      this.lastStatus = status;
    }
    return { token, persist, ...out, committed, status, departure: this.departurePlan() };
  }

  status(): RaftStatus {
    const removed = this.members.removed;
    const status: RaftStatus = {
      peerId: this.id,
      role: this.role,
      term: this.term,
      leader: this.leaderId,
      committed: this.commit,
      applied: this.applied,
      lastIndex: this.log.lastIndex(),
      online: !removed && !this.catchUp.active && (this.role === 'leader' || this.leaderId !== null),
      members: copyMembership(this.membership.current()),
      catchUp: this.catchUp.progress(),
    };
    if (removed) status.removed = true;
    const departed = this.departures.all().filter((id) => this.membership.isMember(id));
    if (departed.length > 0) status.departed = departed;
    if (this.departureHandler.isFrozen()) status.frozen = true;
    return status;
  }

  /** Work that is due whenever the host looks: catch-up output, commit after durable appends, sends. */
  private prepare(): void {
    this.departureHandler.retryRelays();
    this.catchUp.pump();
    this.requests.flush();
    this.snapshots.compact(this);
    if (this.leader) {
      this.leader.maybeCommit();
      if (this.leader.readRoundWanted()) this.requests.resolveReads(this.leader.heartbeat(this.now));
      // Sending here (not on every propose) batches everything proposed since the last Ready.
      this.leader.broadcast();
      // Thesis §4.2.2: a leader outside the configuration steps down once that configuration commits.
      if (!this.membership.isVoter(this.id) && this.commit >= this.membership.currentIndex()) this.becomeFollower(this.term, null);
    }
    // Departed peers outside a committed configuration can never count again. Only once this peer
    // is a member itself: a peer still replaying older configurations (a new tab fetching the log)
    // would otherwise forget the notices it was given at connect time before reaching the
    // configuration that still lists those peers.
    if (this.commit >= this.membership.currentIndex() && !this.membership.needsLogging() && this.membership.isMember(this.id)) {
      this.departures.forgetExcept(new Set(this.membership.others(this.id)));
    }
    const wasRemoved = this.members.removed;
    this.members.refresh();
    if (this.members.removed && !wasRemoved) this.requests.failAll('removed');
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

  /**
   * Whether this peer may grant votes. Unlike campaigning this does NOT require being a voter in
   * our own configuration (thesis §4.1: servers answer RPCs without consulting their configuration):
   * a learner promoted by a config entry it has not received yet is a voter for the candidate, and
   * if it abstained, a group of {leader, new voter} that lost its leader could never elect again.
   * Granting is safe whoever asks: the candidate counts only the voters of its own configuration.
   */
  canVote(): boolean {
    return this.preference !== 'observer' && !this.members.removed;
  }

  /** Whether this peer may stand for election: a voter that is not an observer and not removed. */
  canCampaign(): boolean {
    return this.preference !== 'observer' && !this.members.removed && this.membership.isVoter(this.id);
  }

  /**
   * This voter alone is a quorum because every other voter of the configuration departed (and this
   * log covers them). Not a configuration of one: a fresh bootstrap must keep its delay (several
   * tabs told the room was empty defer to one of them).
   */
  private soleVoter(): boolean {
    if (!this.canCampaign() || this.membership.voters().length < 2) return false;
    const voters = this.quorumVoters();
    return voters.length === 1 && voters[0] === this.id;
  }

  /** Heard from a live leader (or is the leader) within the minimum election timeout. */
  inLease(): boolean {
    if (this.role === 'leader') return true;
    return this.leaderId !== null && this.now - this.lastLeaderContact < this.config.electionTimeoutMs;
  }

  /**
   * Campaign no later than `delay` ms from now (null: a whole randomized election timeout, without
   * the reluctance factor), keeping an earlier deadline.
   */
  campaignWithin(delay: number | null): void {
    const wait = delay ?? this.config.electionTimeoutMs + this.random() * this.config.electionJitterMs;
    this.electionDeadline = Math.min(this.electionDeadline, this.now + wait);
  }

  resetElectionTimer(): void {
    this.electionDeadline = this.now + randomizedElectionTimeout(this.config, this.preference, this.random, false);
  }

  becomeFollower(term: number, leader: PeerId | null): void {
    if (term > this.term || leader !== this.leaderId) this.catchUp.abort();
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
    // Forwards sent to a former leader would only time out: they go to the new one (or wait for it).
    this.forwards.requeueWhere((sentTo) => sentTo !== leader);
    if (leader !== null) this.lastLeaderContact = this.now;
    if (former) this.requests.onLeadershipLost(former);
    this.resetElectionTimer();
  }

  becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.votes.clear();
    this.inheritedEnd = this.log.lastIndex();
    this.leader = new LeaderState(this, this.now);
    // Forwards still out at the former leader are served here instead (the next flush).
    this.forwards.requeueWhere(() => true);
    const entries: LogEntry[] = [];
    const next = () => this.log.lastIndex() + entries.length + 1;
    // The first leader writes the bootstrap configuration into the log so it survives restarts.
    if (this.membership.needsLogging()) {
      entries.push({ kind: 'config', index: next(), term: this.term, membership: copyMembership(this.membership.current()) });
    }
    // §8 / §5.4.2: an entry of our own term lets earlier entries commit and enables ReadIndex.
    if (!this.bugs.noNoopOnElection) entries.push({ kind: 'noop', index: next(), term: this.term });
    this.appendToLog(entries);
    // Connected peers outside the configuration (tabs waiting to join) learn of the new leader at once.
    for (const peer of this.reportedPeers()) if (!this.membership.isMember(peer)) this.leader.onPeerUp(peer, this.now);
  }
}
