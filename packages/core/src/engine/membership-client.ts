// Peer side of automatic membership: a peer that is not in the configuration asks the
// leader to add it (JoinRequest, observer flag from its preference), a learner that wants to vote
// keeps saying so (so every new leader knows; observers never ask), and a leaving peer asks to be
// removed (LeaveRequest). Also decides when this peer counts as removed: a committed configuration
// without it, after it had been a member, while this engine runs. A removed peer stops taking part.
import type { MembershipResponse } from '../messages';
import type { PeerId } from '../types';
import { isMemberOf, sameMembership } from './membership';
import type { EngineCore, PeerDirectory, RoleView } from './node-context';

/** What the peer side of membership uses of RaftNode: its configuration, commit index and leader, and whom to ask. */
export interface MembershipClientHost
  extends Pick<EngineCore, 'id' | 'config' | 'log' | 'membership' | 'term' | 'commit' | 'now' | 'send'>,
    Pick<PeerDirectory, 'reportedPeers' | 'connectedPeers'>,
    Pick<RoleView, 'leaderId'> {}

export type MembershipWish = 'join' | 'promote' | 'leave' | null;

export class MembershipClient {
  /** leave() was called. */
  leaving = false;
  /** Out of the group for good (this engine instance): no campaigns, proposals fail 'removed'. */
  removed = false;
  /** A pristine singleton bootstrapper waiting for an existing leader (RaftNode's tick defers a bootstrap once). */
  deferringBootstrap = false;
  /** Requests sent (tests and counters). */
  sent = 0;
  private nextAttemptAt = Number.NEGATIVE_INFINITY;
  private nextRequestId = 1;
  private rotation = 0;
  private lastTarget: PeerId | null = null;
  /** The leader (and its term) the last request went to while it was known to lead. */
  private toldLeader: { peer: PeerId; term: number } | null = null;
  private wasCommittedMember = false;
  /**
   * The highest log index at which a leader said it added this peer (a JoinRequest answered ok).
   * Until the log reaches it, a committed configuration without this peer is history being
   * replayed (an earlier removal), not the last word: this peer was added again after it.
   */
  private addedAt = 0;
  /**
   * Peers with a smaller id that answered a deferring bootstrapper's JoinRequest 'unconfigured': they
   * wait to be added and found nothing, so the bootstrap need not wait for them (bootstrapUncontested).
   */
  private readonly notRivals = new Set<PeerId>();
  /**
   * JoinRequests sent, by id, and the peer each went to: their answers can be told from a
   * LeaveRequest's, and only the peer asked answers one (request ids are guessable, and an answer's
   * index decides when this peer takes a removal for the last word; see refresh()).
   */
  private readonly joinRequests = new Map<number, PeerId>();
  /** When the latest JoinRequest was sent (see refresh()). */
  private joinSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly node: MembershipClientHost,
    private readonly observer: boolean,
  ) {}

  /** What this peer wants from the leader now. */
  wish(): MembershipWish {
    const { membership, id } = this.node;
    if (this.removed) return null;
    if (this.leaving) return membership.isMember(id) ? 'leave' : null;
    if (this.deferringBootstrap) return 'join';
    if (!membership.isMember(id)) return membership.wasMemberBefore(id) ? null : 'join'; // being removed: wait
    if (!membership.isVoter(id) && !this.observer) return 'promote';
    // An observer learner that lost its leader asks again: the configuration that added it may have
    // died with that leader, and a new leader never contacts peers outside its configuration (found
    // by the churn scenario). Asking a member it already is is harmless (answered ok).
    if (!membership.isVoter(id) && this.node.leaderId === null) return 'join';
    return null;
  }

  /**
   * Several peers may have been told the room was empty (they started at the same instant): a
   * pristine singleton bootstrapper defers once to any connected peer with a smaller id, trying to
   * join it first; so only the smallest visible id bootstraps and the rest join its configuration.
   * The deferral ends early once each of those peers said it founds nothing (bootstrapUncontested).
   */
  shouldDeferBootstrap(): boolean {
    const { log, membership, id } = this.node;
    if (log.lastIndex() > 0 || !membership.needsLogging()) return false;
    if (!sameMembership(membership.current(), { voters: [id], learners: [] })) return false;
    return this.smallerPeers().length > 0;
  }

  /**
   * While a bootstrap is deferred: every connected peer with a smaller id said it belongs to no group
   * and founds none ('unconfigured'), so nobody this peer deferred to can lead: campaign now instead
   * of waiting out the deferral (three new tabs used to come online an election timeout late
   * whenever the one that bootstrapped was not the smallest id: the others had decided to join it).
   */
  bootstrapUncontested(): boolean {
    const { log, membership } = this.node;
    if (!this.deferringBootstrap || log.lastIndex() > 0 || !membership.needsLogging()) return false;
    // None connected any more (a rival's link may be down for a moment): the deferral runs its course.
    const smaller = this.smallerPeers();
    return smaller.length > 0 && smaller.every((peer) => this.notRivals.has(peer));
  }

  private smallerPeers(): PeerId[] {
    const { id } = this.node;
    return this.node.connectedPeers().filter((peer) => peer < id);
  }

  /** Re-derive `removed` after the log or the commit index changed. */
  refresh(): void {
    const { membership, id, commit } = this.node;
    if (membership.configIndexAt(commit) >= 1 && isMemberOf(membership.at(commit), id)) this.wasCommittedMember = true;
    if (this.removed || membership.isMember(id) || commit < membership.currentIndex()) return;
    if (this.node.log.lastIndex() < this.addedAt) return;
    // A join still in flight may have been granted already (its answer names the index that adds us
    // again): wait for it, or for its retry time, before taking an older removal for the last word.
    // Otherwise the leader adds and then promotes a peer that has just given up.
    if (this.joinRequests.size > 0 && this.node.now - this.joinSentAt < this.retryMs('join')) return;
    if (membership.wasMemberBefore(id) || this.wasCommittedMember) this.removed = true;
  }

  tick(now: number): void {
    const wish = this.wish();
    if (wish === null || now < this.nextAttemptAt) return;
    if (this.deferringBootstrap && this.node.leaderId === null) {
      // Ask every smaller peer at once: one that leads adds us; the others say whether they found anything.
      for (const peer of this.smallerPeers()) if (!this.notRivals.has(peer)) this.send(peer, 'join', now);
      return;
    }
    const target = this.node.leaderId ?? this.pickPeer();
    if (target !== null) this.send(target, wish, now);
  }

  /**
   * Heard from the leader: a new leader is asked at once. "New" means not yet asked while it led in
   * this term: a request that reached the same peer before its election went to a non-leader, which
   * only answered with a hint (found by the tabs scenario: a learner that asked a candidate just
   * before it won was never named a successor, so it could not carry on when every voter closed).
   */
  onLeaderContact(leader: PeerId, now: number): void {
    const wish = this.wish();
    if (wish === null) return;
    const told = this.toldLeader;
    if (told === null || told.peer !== leader || told.term !== this.node.term || now >= this.nextAttemptAt) this.send(leader, wish, now);
  }

  /** A new connection: without a known leader, ask that peer (it answers with a leader hint). */
  onPeerUp(peer: PeerId, now: number): void {
    const wish = this.wish();
    if (wish !== null && this.node.leaderId === null) this.send(peer, wish, now);
  }

  /** leave() / a bootstrap deferral: try now instead of at the next retry. */
  kick(now: number): void {
    this.nextAttemptAt = Number.NEGATIVE_INFINITY;
    this.tick(now);
  }

  onResponse(from: PeerId, m: MembershipResponse, now: number): void {
    const answersJoin = this.joinRequests.get(m.requestId) === from;
    if (answersJoin) this.joinRequests.delete(m.requestId);
    if (!m.ok && m.error === 'unconfigured') {
      if (answersJoin && this.deferringBootstrap) this.notRivals.add(from);
      return;
    }
    if (m.ok) {
      if (answersJoin) this.addedAt = Math.max(this.addedAt, m.index);
      return; // the change arrives through the log
    }
    const wish = this.wish();
    const hint = m.leader;
    if (wish === null || hint === undefined || hint === this.node.id || hint === from) return;
    if (hint !== this.lastTarget || now >= this.nextAttemptAt) this.send(hint, wish, now);
  }

  private send(to: PeerId, wish: Exclude<MembershipWish, null>, now: number): void {
    if (to === this.node.id) return;
    const requestId = this.nextRequestId++;
    if (wish === 'leave') this.node.send(to, { type: 'LeaveRequest', requestId });
    else {
      this.node.send(to, { type: 'JoinRequest', requestId, observer: this.observer });
      this.joinRequests.set(requestId, to);
      this.joinSentAt = now;
      // Answers that never came: keep only the latest few ids.
      if (this.joinRequests.size > 32) this.joinRequests.delete(this.joinRequests.keys().next().value!);
    }
    this.sent++;
    this.lastTarget = to;
    this.toldLeader = to === this.node.leaderId ? { peer: to, term: this.node.term } : null;
    this.nextAttemptAt = now + this.retryMs(wish);
  }

  /** A promotion wish is a reminder; joining and leaving retry briskly until the log shows them. */
  private retryMs(wish: Exclude<MembershipWish, null>): number {
    const { config } = this.node;
    return wish === 'promote' ? 2 * config.electionTimeoutMs : 3 * config.heartbeatMs;
  }

  /**
   * Without a leader, ask peers in turn: those the transport reports connected first (a log
   * started from an old slot names members that are long gone), else any member.
   */
  private pickPeer(): PeerId | null {
    const reported = this.node.reportedPeers();
    const peers = reported.length > 0 ? reported : this.node.connectedPeers();
    if (peers.length === 0) return null;
    return peers[this.rotation++ % peers.length];
  }
}
