// When a peer that does not lead campaigns: the randomized election deadline (§5.2), the single
// deferral of a fresh bootstrap to a peer with a smaller id, the sole voter left after departures,
// a restarted voter with no leader in sight, and the stranded learner that may stand in its own
// configuration. RaftNode asks decide() at each tick and acts on the answer; everything here only
// schedules, it never changes a role.
import type { RaftConfig } from '../config';
import type { LeadershipPreference, Random } from '../types';
import type { CatchUpDriver } from './catchup-driver';
import { randomizedElectionTimeout } from './election';
import type { MembershipClient } from './membership-client';
import type { MembershipTracker } from './membership';
import type { EngineCore, PeerDirectory, RoleView } from './node-context';
import { quorumSize } from './quorum';

/** What CampaignTimer reads of the engine (its settings come in through the constructor). */
export interface CampaignTimerHost extends Pick<EngineCore, 'id' | 'now' | 'quorumVoters'>, Pick<RoleView, 'role' | 'leaderId'>, Pick<PeerDirectory, 'reportedPeers'> {
  readonly membership: Pick<MembershipTracker, 'isVoter' | 'isMember' | 'voters'>;
  readonly members: Pick<MembershipClient, 'removed' | 'bootstrapUncontested' | 'shouldDeferBootstrap'>;
  readonly catchUp: Pick<CatchUpDriver, 'active'>;
  /** A voter that is not an observer and not removed. */
  canCampaign(): boolean;
}

/**
 * What a non-leader does at a tick: keep waiting, stay put (it may not campaign, or is catching up),
 * defer a fresh bootstrap once, or campaign.
 */
export type CampaignDecision = 'wait' | 'ineligible' | 'defer-bootstrap' | 'campaign';

export class CampaignTimer {
  /** When this peer campaigns unless it hears from a leader first (§5.2). */
  private deadline: number;
  /** A fresh single-peer bootstrap waits once for a peer with a smaller id (see decide()). */
  private bootstrapDeferred = false;
  /**
   * When this peer, a learner in its own configuration, last denied a candidate whose log is behind
   * its own (see strandedLearner()).
   */
  private deniedOutdatedCandidateAt = -Infinity;
  /**
   * A voter restarted from its log that has heard no leader, not campaigned and not yet seen a
   * quorum of its voters connected since (see restartedWithoutLeader()).
   */
  private awaitingQuorumAfterRestart: boolean;

  /**
   * The first deadline: `immediately` for the only voter of its configuration (a re-founding peer,
   * a peer that bootstrapped alone, or one restarting as the sole voter), which has no leader to
   * hear from first (only a voter of a configuration can lead it, and any later configuration would
   * have been written by this peer and be in its log); otherwise an election timeout plus the
   * bootstrap delay. `restarted`: the peer starts from a log of its own (a tab that adopted a
   * crashed identity, say), and may campaign early once it sees a quorum (restartedWithoutLeader).
   */
  constructor(
    private readonly host: CampaignTimerHost,
    private readonly config: RaftConfig,
    private readonly preference: LeadershipPreference,
    private readonly random: Random,
    immediately: boolean,
    restarted = false,
  ) {
    this.deadline = immediately ? host.now : host.now + randomizedElectionTimeout(config, preference, random, true);
    this.awaitingQuorumAfterRestart = restarted && !immediately && preference === 'normal';
  }

  /** A fresh randomized election timeout from now (§5.2; a reluctant peer waits longer). */
  reset(): void {
    this.deadline = this.host.now + randomizedElectionTimeout(this.config, this.preference, this.random, false);
  }

  /**
   * Campaign no later than `delay` ms from now (null: a whole randomized election timeout, without
   * the reluctance factor), keeping an earlier deadline.
   */
  campaignWithin(delay: number | null): void {
    const wait = delay ?? this.config.electionTimeoutMs + this.random() * this.config.electionJitterMs;
    this.deadline = Math.min(this.deadline, this.host.now + wait);
  }

  /** A tick of a peer that does not lead. 'defer-bootstrap' has already set the new deadline. */
  decide(now: number): CampaignDecision {
    const host = this.host;
    // The last voter left (every other one departed, its position covered) has nobody to wait for:
    // a vote it granted, or a candidate's request, must not hold it back a whole election timeout.
    if (host.role === 'follower' && host.leaderId === null && this.soleVoter()) this.deadline = Math.min(this.deadline, now);
    if (host.members.bootstrapUncontested()) this.deadline = Math.min(this.deadline, now);
    this.restartedWithoutLeader(now);
    if (now < this.deadline) return 'wait';
    // Catching up, observers, learners and unconfigured peers never campaign.
    if (host.catchUp.active || !(host.canCampaign() || this.strandedLearner())) return 'ineligible';
    if (!this.bootstrapDeferred && host.members.shouldDeferBootstrap()) {
      // Several peers may have been told the room was empty: the one with the smallest id among the
      // peers it can see bootstraps; the others first try to join it (for one more timeout).
      this.bootstrapDeferred = true;
      this.deadline = now + randomizedElectionTimeout(this.config, this.preference, this.random, true);
      return 'defer-bootstrap';
    }
    return 'campaign';
  }

  /**
   * A restarted voter with no leader in sight need not wait out a whole first election timeout
   * (plus the bootstrap delay) when every tab of its group stopped at once, say a browser that
   * crashed and restored its tabs: once a quorum of its voters is connected and still no leader
   * has reached it for two heartbeats (a live leader replicates to a peer as soon as it connects),
   * it campaigns. Pre-vote keeps this harmless where a leader does run: its followers, in its
   * lease, deny the pre-vote (thesis §9.6). Pre-candidates that ask each other at once settle by
   * id (candidacy.ts). One early try only: after it, or once a leader is heard, the usual timer
   * rules.
   */
  private restartedWithoutLeader(now: number): void {
    if (!this.awaitingQuorumAfterRestart) return;
    const host = this.host;
    if (host.leaderId !== null || host.role !== 'follower') {
      this.awaitingQuorumAfterRestart = false;
      return;
    }
    const voters = host.quorumVoters();
    if (!voters.includes(host.id)) return;
    const reported = new Set(host.reportedPeers());
    if (voters.filter((v) => v === host.id || reported.has(v)).length < quorumSize(voters.length)) return;
    this.awaitingQuorumAfterRestart = false;
    this.deadline = Math.min(this.deadline, now + (2 + this.random()) * this.config.heartbeatMs);
  }

  /** See strandedLearner(): this peer denied a candidate whose log is behind its own. */
  noteDeniedOutdatedCandidate(): void {
    if (!this.host.membership.isVoter(this.host.id)) this.deniedOutdatedCandidateAt = this.host.now;
  }

  /**
   * A learner whose log is ahead of a candidate that asked for its vote, with no leader: the
   * candidate counts it as a voter (an uncommitted promotion in the candidate's log) and cannot win
   * without it, while no voter's log is as up to date as this one, so no voter can win either. This
   * learner may then stand for election in its own configuration: it counts only the votes of that
   * configuration's voters (never its own), so Leader Completeness holds as for any candidate, and
   * a leader outside its configuration steps down once its no-op commits (thesis §4.2.2), after
   * which the voters, now holding its entries, elect one of their own. Pre-vote and the leader lease
   * keep it from disturbing a live leader.
   */
  private strandedLearner(): boolean {
    const host = this.host;
    if (this.preference === 'observer' || host.members.removed || host.leaderId !== null) return false;
    if (host.membership.isVoter(host.id) || !host.membership.isMember(host.id)) return false;
    return host.now - this.deniedOutdatedCandidateAt <= 2 * (this.config.electionTimeoutMs + this.config.electionJitterMs);
  }

  /**
   * This voter alone is a quorum because every other voter of the configuration departed (and this
   * log covers them). Not a configuration of one: a fresh bootstrap must keep its delay (several
   * tabs told the room was empty defer to one of them).
   */
  private soleVoter(): boolean {
    const host = this.host;
    if (!host.canCampaign() || host.membership.voters().length < 2) return false;
    const voters = host.quorumVoters();
    return voters.length === 1 && voters[0] === host.id;
  }
}
