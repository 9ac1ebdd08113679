// RaftNode: the sans-IO Raft engine. Inputs mutate state and queue output in the Outbox; the host
// drains it with ready(). The role state (term, vote, role, leader) and every role transition live
// here; the rules that decide when to transition live in helpers, each of which sees RaftNode only
// through a narrow interface declared next to it (node-context.ts): when to campaign in
// campaign-timer.ts, elections in candidacy.ts, leader <-> follower traffic in
// replication-messages.ts, leading in leader.ts, following in follower.ts, client requests
// (proposals, reads, forwarding) in requests.ts, membership in membership-*.ts, departures in
// departure-handler.ts, snapshots in snapshots.ts, catch-up in catchup-driver.ts, transport
// reports in peer-links.ts, the work deferred to ready() in deferred-work.ts. The start from storage
// is rebuilt in restored-state.ts, the reported status in engine-status.ts.
import { CatchUpSession } from '../catchup/index';
import type { InjectedBugs, RaftConfig } from '../config';
import { injectedBugsOf } from '../injected-bugs';
import type { Message, VoteAnswer, VoteRequest } from '../messages';
import { writesBesidesHardState } from '../storage';
import type { ClientTag, HardState, LeadershipPreference, LogEntry, PeerId, Random, RaftStatus, Role, Snapshot } from '../types';
import type { DeparturePlan, RaftEngine, RaftNodeOptions, Ready, TransferRefusal } from './api';
import { campaign, checkElection, resendVoteRequests, type CandidacyHost } from './candidacy';
import { CampaignTimer } from './campaign-timer';
import { CatchUpDriver, type CatchUpHost, type CatchUpSessionFactory } from './catchup-driver';
import { emptyRefusals, type Refusals } from './bounds';
import { DepartureHandler, type DepartureHost } from './departure-handler';
import { DepartureBook } from './departures';
import { UnacknowledgedEntries } from './unacknowledged-entries';
import { ForwardQueue, firstForwardWireId } from './forwarding';
import { LeaderState } from './leader';
import { MembershipClient, type MembershipClientHost } from './membership-client';
import { copyMembership, type MembershipTracker } from './membership';
import type { EngineCore } from './node-context';
import { DurabilityTracker, Outbox } from './outbox';
import { RequestHandler, type RequestHost } from './requests';
import type { RaftLog } from './raft-log';
import { type ReplicationHost } from './replication-messages';
import { dispatchMessage, type DispatchHost } from './message-dispatch';
import type { SnapshotKeeper, SnapshotView } from './snapshots';
import { PeerLinks, type PeerLinksHost } from './peer-links';
import { runDeferredWork, type DeferredWorkHost } from './deferred-work';
import { describeEngine, type StatusSource } from './engine-status';
import { restoreFromStorage } from './restored-state';
import { ReadyTracker } from './ready-tracker';

/** The role state only RaftNode writes (see `own`). */
type RoleField = 'term' | 'vote' | 'role' | 'leaderId' | 'leader' | 'commit' | 'lastLeaderContact' | 'inheritedEnd' | 'departed';
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Test seam: RaftNodeOptions plus a catch-up session factory (defaults to CatchUpSession). */
export interface RaftNodeInternals {
  createCatchUpSession?: CatchUpSessionFactory;
}

export class RaftNode
  implements RaftEngine, EngineCore, CandidacyHost, ReplicationHost, DispatchHost, CatchUpHost, RequestHost, MembershipClientHost, DepartureHost, SnapshotView, PeerLinksHost, DeferredWorkHost, StatusSource
{
  // ---------- identity and components ----------

  /** This peer's id (fixed for the engine's life; a removed tab starts over under a new one). */
  readonly id: PeerId;
  /** Timing, batching and limit settings (resolved defaults). */
  readonly config: RaftConfig;
  /** Test-only bug switches (the simulator proves its checks catch them). */
  readonly bugs: InjectedBugs;
  /** log[] (Raft Fig. 2), in memory; compacted below the latest snapshot (§7). */
  readonly log: RaftLog;
  /** The configuration: the latest one in the log is in force, committed or not (thesis §4.1). */
  readonly membership: MembershipTracker;
  /** Output waiting for the next Ready: persist work, messages, results. */
  readonly outbox = new Outbox();
  /** The latest snapshot (served to catching-up peers) and compaction (§7). */
  readonly snapshots: SnapshotKeeper;
  /** Multi-peer catch-up of a lagging follower (committed chunks or a snapshot from many peers). */
  readonly catchUp: CatchUpDriver;
  /** This peer's own membership wishes (join, promotion, leave) and whether it was removed. */
  readonly members: MembershipClient;
  /** Peers that departed for good, with their final log positions (departures.ts). */
  readonly departures = new DepartureBook();
  /** Entries kept from a stale append, never acknowledged: left out of this peer's departure position. */
  readonly unacknowledged = new UnacknowledgedEntries();
  /** Departure notices in and out, succession when every voter is gone. */
  readonly departureHandler: DepartureHandler;
  /** What the transport reports of each peer: links up and down, processes gone (peer-links.ts). */
  private readonly links: PeerLinks;
  /** Proposals and reads: served on the leader, forwarded to it from followers. */
  readonly requests: RequestHandler;
  /** Requests queued for, or out at, the leader. */
  readonly forwards: ForwardQueue;
  /** Messages dropped because they made no sense here (unknown kind, from self, ...). */
  droppedMessages = 0;
  /** What the wire limits made this engine refuse (bounds.ts). */
  readonly refusals: Refusals = emptyRefusals();
  /** Time of the input being processed (the engine never reads a clock). */
  now: number;

  // ---------- role state: readonly to everyone, written only by this class (through `own`) ----------

  /** currentTerm (Raft Fig. 2): the latest term seen; persisted before any message that depends on it. */
  readonly term: number;
  /** votedFor (Raft Fig. 2): the candidate voted for in `term` (null: none); persisted like `term`. */
  readonly vote: PeerId | null;
  /** Follower, pre-candidate (thesis §9.6), candidate or leader (§5.1). */
  readonly role: Role = 'follower';
  /** The leader of the current term as far as this peer knows (itself when leading), or null. */
  readonly leaderId: PeerId | null = null;
  /** Leader-only state (progress, reads, membership changes, transfer) while this peer leads, else null. */
  readonly leader: LeaderState | null = null;
  /** commitIndex (Raft Fig. 2): never lowered; only up to entries a quorum stored (§5.4.2) or a leader proved (§5.3). */
  readonly commit: number;
  /** Last time the leader of the current term was heard (leader lease, thesis §4.2.3). */
  readonly lastLeaderContact: number = -Infinity;
  /** As leader: the last index of the log inherited when elected (a departing leader's final position covers it). */
  readonly inheritedEnd: number = 0;
  /** This peer departed (depart()): it never votes, acknowledges or sends again. */
  readonly departed: boolean = false;

  /** The one writable view of the role state above: only RaftNode's own methods change it. */
  private get own(): Writable<Pick<RaftNode, RoleField>> {
    return this;
  }

  /** Answers to the running campaign, this peer's own grant included (emptied by every role transition). */
  readonly votes = new Map<PeerId, VoteAnswer>();
  /** The running campaign's request, re-sent to silent voters (candidacy.ts resendVoteRequests). */
  voteRequest: { request: VoteRequest; resendAt: number } | null = null;

  // ---------- private state ----------

  /** Normal, reluctant (longer election timeouts) or observer (never votes or campaigns). */
  private readonly preference: LeadershipPreference;
  private readonly random: Random;
  /** Which appends storage reported durable: the leader counts itself only up to there (thesis §10.2.1). */
  private readonly durability: DurabilityTracker;
  /** lastApplied (Raft Fig. 2): the last index handed to the host in Ready.committed. */
  private applied: number;
  /** What the previous Ready handed out (hard state, status), so the next carries only changes. */
  private readonly readyTracker: ReadyTracker;
  /** When this peer campaigns unless it hears from a leader first (§5.2), and whether it may. */
  private readonly campaignTimer: CampaignTimer;
  /** An input arrived since the last ready(): its deferred work (deferred-work.ts) is due (see hasReady()). */
  private workDue = true;

  /** Restore from storage (hard state, snapshot, log); see RaftNodeOptions for bootstrap and re-founding. */
  constructor(options: RaftNodeOptions & RaftNodeInternals) {
    this.id = options.id;
    this.config = options.config;
    this.bugs = injectedBugsOf(options); // test-only switches (@meshraft/core/testing withInjectedBugs)
    this.preference = options.preference;
    this.random = options.random;
    this.now = options.now;
    // Request ids on the wire start at a random point per incarnation (see ForwardQueue).
    this.forwards = new ForwardQueue(firstForwardWireId(this.random));
    const { hardState, snapshot } = options.state;
    const restored = restoreFromStorage(options);
    this.snapshots = restored.snapshots;
    this.log = restored.log;
    this.membership = restored.membership;
    this.commit = restored.commit;
    this.applied = restored.applied;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.readyTracker = new ReadyTracker(hardState, this.config.heartbeatMs);
    this.durability = new DurabilityTracker(this.log.lastIndex());
    // The host's state machine starts from this image; committed entries after it follow.
    this.outbox.snapshotToInstall = snapshot;
    this.requests = new RequestHandler(this);
    this.members = new MembershipClient(this, this.preference === 'observer');
    this.catchUp = new CatchUpDriver(this, options.createCatchUpSession ?? ((o) => new CatchUpSession(o)), this.random);
    this.departureHandler = new DepartureHandler(this);
    this.links = new PeerLinks(this);
    if (options.logTail) this.departureHandler.tails.takeLocal(options.logTail);
    // The only voter of its configuration campaigns at its first tick (see CampaignTimer).
    const voters = this.membership.voters();
    const soleVoter = voters.length === 1 && voters[0] === this.id;
    this.campaignTimer = new CampaignTimer(this, this.config, this.preference, this.random, restored.refounding || soleVoter, restored.restarted);
    // What the restored log implies for status() (a committed removal of this peer) holds from the start.
    this.members.refresh();
  }

  // ---------- EngineCore: the state changes helpers may ask for ----------

  /** Highest log index storage reported durable (a leader counts itself only up to here, thesis §10.2.1). */
  persistedIndex(): number {
    return this.durability.persistedIndex();
  }

  /** Append to the log, the membership view (a config entry takes effect when logged, thesis §4.1) and the next persist batch. */
  appendToLog(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    // Replicated entries from an existing group replace a not-yet-logged bootstrap configuration.
    if (!this.leader && this.membership.needsLogging()) this.abandonBootstrap();
    this.log.append(entries);
    this.membership.onAppend(entries);
    this.outbox.recordAppend(entries);
    if (this.leader && entries.some((e) => e.kind === 'config')) this.leader.syncPeers(this.now);
  }

  /** Drop entries >= from (a follower's conflicting suffix, §5.3) from the log, membership view, persist batch and durability tracking. */
  truncateLog(from: number): void {
    // Callers never truncate at or below the commit index (committed entries are final).
    this.log.truncateFrom(from);
    this.unacknowledged.truncated(from);
    this.membership.onTruncate(from);
    this.outbox.recordTruncate(from);
    this.durability.onTruncate(from);
  }

  /** Raise commitIndex (never lowers it, never past the log's end). */
  advanceCommit(index: number): void {
    const capped = Math.min(index, this.log.lastIndex());
    if (capped > this.commit) this.own.commit = capped;
  }

  /** Queue a message for the next Ready; nothing to ourselves, nothing once departed. */
  send(to: PeerId, message: Message): void {
    if (to !== this.id && !this.departed) this.outbox.send(to, message);
  }

  /** The voters that count for a quorum: the configuration's voters minus departed ones this log covers (departures.ts). */
  quorumVoters(): PeerId[] {
    return this.departures.effectiveVoters(this.membership.voters(), this.log, this.id);
  }

  /** The voters whose votes count in an election in `term` (departures.ts: a departed voter that reached it still counts). */
  electionVoters(term: number): PeerId[] {
    return this.departures.effectiveVoters(this.membership.voters(), this.log, this.id, term);
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
      this.unacknowledged.clear();
      this.membership.reset(membership, index);
      this.durability.onTruncate(index + 1);
      this.outbox.recordSnapshot(snapshot, true);
    }
    this.outbox.snapshotToInstall = snapshot;
    this.snapshots.installed(snapshot);
    this.own.commit = Math.max(this.commit, index);
    this.applied = Math.max(this.applied, index);
  }

  /** An existing group's entries arrived: drop the bootstrap configuration not yet logged. */
  private abandonBootstrap(): void {
    this.membership.abandonBootstrap();
    this.members.deferringBootstrap = false;
  }

  // ---------- inputs ----------

  /**
   * Time passes: departures and succession, request timeouts, catch-up, membership wishes; a leader
   * checks its quorum (thesis §6.2), heartbeats and reviews membership; anyone else campaigns once
   * its election timer runs out (§5.2).
   */
  tick(now: number): void {
    this.input(now);
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
    switch (this.campaignTimer.decide(now)) {
      case 'wait':
        resendVoteRequests(this);
        return;
      case 'ineligible':
        // A peer that may not campaign still stops believing in a leader silent for a whole election
        // timeout: otherwise a learner whose leader died keeps sending its join/promotion requests to
        // the dead leader, and a new leader whose configuration lacks it never contacts it, so it
        // never rejoins (found by the churn scenario).
        if (this.leaderId !== null && !this.inLease()) this.own.leaderId = null;
        this.resetElectionTimer();
        return;
      case 'defer-bootstrap':
        this.members.deferringBootstrap = true;
        this.members.kick(now);
        return;
      case 'campaign':
        this.members.deferringBootstrap = false;
        this.campaign(this.config.preVote ? 'pre' : 'real', false);
    }
  }

  /** A message from a peer: admitted (no echo, no departed sender, the wire limits), then routed by type (message-dispatch.ts). */
  receive(from: PeerId, message: Message, now: number): void {
    this.input(now);
    dispatchMessage(this, from, message);
  }

  /** Propose commands (requests.ts): appended on the leader, forwarded to it from a follower; refused once removed. */
  propose(requestId: number, commands: Uint8Array[], client: ClientTag, now: number): void {
    this.input(now);
    if (this.members.removed) this.outbox.proposals.push({ requestId, ok: false, error: 'removed' });
    else this.requests.propose(requestId, commands, client);
  }

  /** A linearizable read (ReadIndex, thesis §6.4), served by the leader; refused once removed. */
  readIndex(requestId: number, now: number): void {
    this.input(now);
    if (this.members.removed) this.outbox.reads.push({ requestId, ok: false, error: 'removed' });
    else this.requests.read(requestId);
  }

  /** Hand leadership to `to` (or the most caught-up voter) via TimeoutNow (thesis §3.10); null when it started, else why not. */
  transferLeadership(to: PeerId | undefined, now: number): TransferRefusal | null {
    this.input(now);
    return this.leader ? this.leader.startTransfer(to, now) : 'not-leader';
  }

  /** Leave the group: a leader hands over first; then the leader of the day removes this peer. */
  leave(now: number): void {
    this.input(now);
    this.members.leaving = true;
    if (this.leader) this.leader.startTransfer(undefined, now);
    else this.members.kick(now);
  }

  /** The transport connected `id` (PeerLinks.up). */
  peerUp(id: PeerId, now: number): void {
    this.input(now);
    this.links.up(id);
  }

  /** The transport lost `id` (PeerLinks.down). */
  peerDown(id: PeerId, now: number): void {
    this.input(now);
    this.links.down(id);
  }

  /** `id`'s process stopped (PeerLinks.gone). */
  peerGone(id: PeerId, now: number): void {
    this.input(now);
    this.links.gone(id);
  }

  /** The host's complete list of peers it sees running (PeerLinks.present). */
  peersPresent(present: readonly PeerId[], now: number): void {
    if (this.departed || !this.links.presenceMatters()) return; // nothing to do: no Ready needed
    this.input(now);
    this.links.present(present);
  }

  /** What this peer sends if it departs now (see DepartureHandler.plan()). */
  departurePlan(): DeparturePlan {
    return this.departureHandler.plan();
  }

  /** Depart for good: from now on this engine sends nothing and takes no input (see departurePlan()). */
  depart(now: number): DeparturePlan {
    this.input(now);
    const plan = this.departurePlan();
    this.own.departed = true;
    this.outbox.takeOutput();
    return plan;
  }

  /** PeerDirectory, as the transport reported (PeerLinks). */
  isPeerUp(id: PeerId): boolean {
    return this.links.isPeerUp(id);
  }

  reportedPeers(): PeerId[] {
    return this.links.reportedPeers();
  }

  connectedPeers(): PeerId[] {
    return this.links.connectedPeers();
  }

  /** The Ready with `token` is durable. */
  storageDone(token: number): void {
    // A durable self-append may complete a quorum; the deferred work re-runs the commit rule.
    if (this.durability.done(token)) this.workDue = true;
  }

  /** The hard state the Readies held back (only the commit index moved), for a host idle or closing. */
  takeHeldHardState(): HardState | undefined {
    return this.readyTracker.takeHeldCommit(this.hardState(), this.now);
  }

  /** The host's state machine produced a snapshot (§7): stored, served and compacted past when accepted. */
  snapshotTaken(snapshot: Snapshot): void {
    const stored = this.snapshots.accept(this, snapshot, this.applied);
    if (stored) this.outbox.recordSnapshot(stored, false);
  }

  /** Every input starts here: the engine's clock moves to `now`, and the deferred work is due (see hasReady()). */
  private input(now: number): void {
    this.now = now;
    this.workDue = true;
  }

  // ---------- output ----------

  /**
   * Whether ready() may have anything: an input arrived since the last ready() (its deferred work,
   * deferred-work.ts, runs in ready(): a commit after a durable append, the batched broadcast, a leader
   * outside its configuration stepping down), or output is waiting. A pure query, as etcd's
   * HasReady; a Ready taken after an input that changed nothing is empty. Hosts call it in a loop
   * with ready().
   */
  hasReady(): boolean {
    if (this.departed) return false;
    return (
      this.workDue ||
      this.outbox.hasOutput() ||
      this.outbox.hasPersistWork() ||
      this.readyTracker.hardStateDue(this.hardState(), this.now) ||
      this.commit > this.applied ||
      this.readyTracker.statusChanged(this.status())
    );
  }

  /** Take everything due as one batch: persist work (hard state included), messages, committed entries, results, status. */
  ready(): Ready {
    runDeferredWork(this);
    this.workDue = false;
    const token = this.readyTracker.token();
    const persist = this.outbox.takePersist();
    const hardState = this.readyTracker.takeHardState(this.hardState(), this.now, writesBesidesHardState(persist));
    if (hardState) persist.hardState = hardState;
    this.durability.issued(token, this.log.lastIndex());
    const committed = this.commit > this.applied ? this.log.slice(this.applied + 1, this.commit) : [];
    this.applied = Math.max(this.applied, this.commit);
    const request = this.snapshots.request(this, this.applied);
    if (request) this.outbox.snapshotRequest = request;
    const out = this.outbox.takeOutput();
    const status = this.readyTracker.takeStatus(this.status());
    return { token, persist, ...out, committed, status, departure: this.departurePlan() };
  }

  /** What this peer knows now (Ready.status carries it when it changed). */
  status(): RaftStatus {
    return describeEngine(this, this.applied);
  }

  /** The persistent state of Raft Fig. 2 (currentTerm, votedFor) and the commit index. */
  private hardState(): HardState {
    return { term: this.term, vote: this.bugs.forgetVote ? null : this.vote, commit: this.commit };
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

  /** See CampaignTimer.strandedLearner(): called when this peer denied a candidate whose log is behind its own. */
  noteDeniedOutdatedCandidate(): void {
    this.campaignTimer.noteDeniedOutdatedCandidate();
  }

  /** See CampaignTurns.noteCandidate(). */
  noteCandidate(from: PeerId, term: number): void {
    this.departureHandler.turns.noteCandidate(from, term);
  }

  /** See CampaignTurns.notePreVoteGranted(). */
  notePreVoteGranted(from: PeerId): void {
    this.departureHandler.turns.notePreVoteGranted(from);
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
    this.campaignTimer.campaignWithin(delay);
  }

  /** A fresh randomized election timeout from now (§5.2; a reluctant peer waits longer). */
  resetElectionTimer(): void {
    this.campaignTimer.reset();
  }

  /** Start a campaign now (candidacy.ts: pre-vote first unless `kind` is 'real'). */
  campaign(kind: 'pre' | 'real', transfer: boolean): void {
    campaign(this, kind, transfer);
  }

  /** Re-count the running campaign's votes: won, lost or still open (candidacy.ts). */
  checkElection(): void {
    checkElection(this);
  }

  /** Record a granted RequestVote (votedFor, Fig. 2); granting restarts the election timer (§5.2). */
  grantVote(candidate: PeerId): void {
    this.own.vote = candidate;
    this.requests.onVoteGranted(candidate);
    this.resetElectionTimer();
    // Requests queued for a leader go to this candidate now, ahead of the vote about to be sent in
    // the same Ready: it holds them while it campaigns, so when this vote elects it, they are in
    // its first append of the term with its no-op (one replication round, not two).
    this.requests.flush();
  }

  /** Heard `leader`'s AppendEntries or Heartbeat in our term: follow it; its lease runs from now. */
  followLeader(leader: PeerId): void {
    if (this.role !== 'follower' || this.leaderId !== leader) this.becomeFollower(this.term, leader);
    this.own.lastLeaderContact = this.now;
    this.resetElectionTimer();
  }

  /** Our leader departed for good: no leader is known, and its lease no longer holds. */
  forgetLeader(): void {
    this.own.leaderId = null;
    this.own.lastLeaderContact = -Infinity;
  }

  // ---------- role transitions (Raft Fig. 2 "Rules for Servers") ----------

  /**
   * Fig. 2, all servers: a term above ours (in any message, or a departed voter's notice) makes this
   * peer adopt it and become a follower, of `leader` when the message came from that term's leader.
   * Returns whether it did. Called where each message is handled rather than once in receive():
   * some messages of a higher term must not change ours (a PreVote and a pre-vote grant propose a
   * term nobody has entered; a RequestVote under the leader lease is ignored, thesis §4.2.3; a
   * notice passed on by a peer not known as a member yet is only kept), and a leader's
   * AppendEntries or Heartbeat adopts the term and its sender in one transition (a separate
   * step-down first would restart the election timer once more, drawing another random number).
   */
  adoptTerm(term: number, leader: PeerId | null): boolean {
    if (term <= this.term) return false;
    this.becomeFollower(term, leader);
    return true;
  }

  /** Follow `leader` (null: none known yet) in `term`; a higher term clears the vote (Fig. 2). */
  becomeFollower(term: number, leader: PeerId | null): void {
    if (term > this.term || leader !== this.leaderId) this.catchUp.abort();
    if (term > this.term) {
      this.own.term = term;
      this.own.vote = null;
      this.forwards.clearAvoid();
    }
    const former = this.leader;
    this.own.leader = null;
    this.own.role = 'follower';
    this.own.leaderId = leader;
    this.votes.clear();
    // Forwards sent to a former leader would only time out: they go to the new one (or wait for it).
    this.forwards.requeueWhere((sentTo) => sentTo !== leader);
    if (leader !== null) this.own.lastLeaderContact = this.now;
    if (former) this.requests.onLeadershipLost(former);
    this.resetElectionTimer();
  }

  /** Thesis §9.6: ask whether we could win, without touching anyone's term (ours included). */
  becomePreCandidate(): void {
    this.startCampaign();
    this.own.role = 'pre-candidate';
  }

  /** §5.2: increment currentTerm and vote for ourselves. */
  becomeCandidate(): void {
    this.startCampaign();
    this.own.role = 'candidate';
    this.own.term += 1;
    this.own.vote = this.id;
    this.forwards.clearAvoid();
  }

  /** What both kinds of campaign start with: no leader, our own grant, a fresh election timer. */
  private startCampaign(): void {
    this.own.leaderId = null;
    this.votes.clear();
    this.votes.set(this.id, 'granted');
    this.resetElectionTimer();
  }

  /** Won an election (§5.2): lead, and log an entry of this term at once (§8, §5.4.2). */
  becomeLeader(): void {
    this.own.role = 'leader';
    this.own.leaderId = this.id;
    this.votes.clear();
    this.own.inheritedEnd = this.log.lastIndex();
    this.unacknowledged.clear();
    const leader = new LeaderState(this, this.now);
    this.own.leader = leader;
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
    for (const peer of this.reportedPeers()) if (!this.membership.isMember(peer)) leader.onPeerUp(peer, this.now);
  }
}

/** The default engine: hosts depend on the RaftEngine contract (api.ts), not on this class. */
export function createRaftEngine(options: RaftNodeOptions): RaftEngine {
  return new RaftNode(options);
}
