// Graceful departures seen from one peer (the rules and their safety argument are in departures.ts):
// taking a notice in, passing it on, what this peer sends when it departs itself, and succession
// when every voter of the configuration is gone (a successor re-founds, successor-lists.ts; others
// fetch toward the departed voters' claims). The turns to campaign after the leader left are in
// campaign-turns.ts.
import type { InjectedBugs } from '../config';
import type { AppendEntries, Departure } from '../messages';
import type { PeerId } from '../types';
import type { DeparturePlan } from './api';
import type { FinalPosition } from './departures';
import type { CatchUpDriver } from './catchup-driver';
import { addsNothing, type FollowerLog, isWellFormedAppend, onAppendEntries } from './follower';
import type { ForwardQueue } from './forwarding';
import type { LeaderState } from './leader';
import { type DepartingLeaderView, finalAppends, successors as successorsOf } from './leader-departure';
import type { MembershipClient } from './membership-client';
import type { ElectionTimer, EngineCore, PeerDirectory, RoleTransitions, RoleView } from './node-context';
import type { RequestHandler } from './requests';
import { keepEarlierLeaderEntries } from './replication-messages';
import { CampaignTurns } from './campaign-turns';
import { HeldRelays } from './held-relays';
import { LOG_TAIL_MAX_ENTRIES, LogTails } from './log-tails';
import { SuccessorLists, type SuccessorChoice } from './successor-lists';

/** What departures use of RaftNode: the role state and its transitions, the log, and the parts a notice affects. */
export interface DepartureHost
  extends FollowerLog,
    DepartingLeaderView,
    Pick<EngineCore, 'outbox' | 'now' | 'send' | 'unacknowledged'>,
    Pick<PeerDirectory, 'connectedPeers'>,
    RoleView,
    Pick<RoleTransitions, 'adoptTerm' | 'becomeFollower'>,
    Pick<ElectionTimer, 'campaignWithin' | 'resetElectionTimer'> {
  /** Messages dropped because they made no sense here (counted). */
  droppedMessages: number;
  /** Leader-only state while this peer leads, else null. */
  readonly leader: LeaderState | null;
  /** As leader: the last index of the log inherited when elected. */
  readonly inheritedEnd: number;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'leaderlessActive' | 'abort' | 'peerDown' | 'startTowardClaims'>;
  readonly forwards: ForwardQueue;
  readonly requests: Pick<RequestHandler, 'resolveReads'>;
  readonly members: Pick<MembershipClient, 'leaving'>;
  /** Test-only switches (@meshraft/core/testing withInjectedBugs). */
  readonly bugs: Pick<InjectedBugs, 'skipPassedOverClaims' | 'succeedPastLaterConfiguration'>;
  /** The leader departed: no leader known, and its lease no longer holds. */
  forgetLeader(): void;
  /** Re-count the running campaign's votes (candidacy.ts checkElection). */
  checkElection(): void;
}

export class DepartureHandler {
  /** Times this peer re-founded the group as a successor (tests and counters). */
  refounds = 0;
  /** Successor lists of departed leaders (see maybeSucceed()). */
  private readonly lists = new SuccessorLists();
  /** Notices passed on by peers not known as members (held-relays.ts). */
  readonly relays = new HeldRelays();
  /** When this peer last passed its notices on to every connected peer (see passOnAgain()). */
  private lastPassedOn = -Infinity;
  /** Log tails toward claims no committed entry covers (log-tails.ts). */
  readonly tails: LogTails;

  /** Turns to campaign after the leader left (campaign-turns.ts). */
  readonly turns: CampaignTurns;

  constructor(private readonly node: DepartureHost) {
    this.tails = new LogTails(node);
    this.turns = new CampaignTurns(node);
  }

  /**
   * A peer departed for good. Followers of a departed leader stop trusting its lease and campaign
   * soon (a TimeoutNow usually got there first); a candidate or leader re-counts its quorums, which
   * no longer wait for the departed voter; the leader removes it from the configuration.
   *
   * A notice about another peer (passed on) is taken from members only, as Raft trusts its members
   * and nobody else: a forged one could make a voter stop counting. A peer that does not know the
   * sender as a member yet (a new tab: its configuration is still empty or old) keeps it until it
   * does (retryRelays), or until the host sees that the peer it names runs nowhere (`vouched`:
   * takeRelaysAboutAbsent).
   */
  onDeparture(sender: PeerId, m: Departure, vouched = false): void {
    const { node } = this;
    const from = m.peer ?? sender;
    if (from === node.id) return;
    if (from !== sender && !vouched && !node.membership.isMember(sender)) {
      if (!this.relays.hold(sender, m)) node.droppedMessages++;
      return;
    }
    node.adoptTerm(m.term, null);
    const first = node.departures.firstNotice(from);
    node.departures.record(from, m);
    if (first) {
      node.outbox.departures.push({ ...m, peer: from });
      // Pass a first notice on once, so that one that reached a single peer still reaches them all.
      for (const peer of node.connectedPeers()) if (peer !== from && peer !== sender) node.send(peer, { ...m, peer: from });
    }
    node.catchUp.peerDown(from);
    const leaderLeft = from === node.leaderId && node.role !== 'leader';
    if (leaderLeft) node.forgetLeader();
    // Forwards the departed peer never answered go to whoever leads next.
    node.forwards.requeueWhere((sentTo) => sentTo === from, from);
    const latestLeader = this.lists.note(m);
    const leaderless = node.role === 'follower' && node.leaderId === null;
    // Notices of one departure arrive in any order: when a candidate's (of a later term) came
    // first, the leader was already forgotten, yet its ranking is still the best order to campaign
    // in. And any member's departure while no leader is known may have been that of the peer whose
    // turn came before ours (or of the candidate whose term cancelled our turn): take the turn again,
    // ranked among the successors still here.
    if (first && (leaderLeft || (latestLeader && leaderless))) this.turns.take(m.successors ?? []);
    else if (first && leaderless && (from === node.vote || this.lists.current.length > 0)) this.turns.take(this.lists.current);
    this.maybeSucceed();
    if (node.role === 'candidate' || node.role === 'pre-candidate') node.checkElection();
    const leader = node.leader;
    if (leader) {
      leader.onPeerDown(from);
      leader.maybeCommit();
      node.requests.resolveReads(leader.confirmReads());
      if (!node.members.leaving) leader.changes.review(node.now);
    }
  }

  /**
   * An AppendEntries from a peer known departed: one of a departing leader's last appends, overtaken
   * by a copy of its notice. Its entries are taken as from any leader of its term (the consistency
   * check, truncation only of conflicting entries after our commit, the follower commit rule): that
   * is what lets a lagging member cover the departed leader's final position. But the sender is not
   * followed (no leader, no lease) and gets no answer. One of an older term than ours only extends
   * our log, as any stale leader's append may (replication-messages.ts keepEarlierLeaderEntries).
   * Any is dropped once this peer re-founded the group (it covers every claim already; entries of
   * the old configuration would undo the re-founding).
   */
  onLastAppend(m: AppendEntries): void {
    const { node } = this;
    if (!isWellFormedAppend(m) || node.role === 'leader' || node.membership.needsLogging()) {
      node.droppedMessages++;
      return;
    }
    if (m.term < node.term) {
      if (keepEarlierLeaderEntries(node, m) === 0) node.droppedMessages++;
      return;
    }
    // A delayed copy of an append already taken (it may arrive after the notice): nothing to keep,
    // and no reason for a pre-candidate to give up the campaign that follows the departure (a
    // candidate of the departed leader's term still steps down, §5.2).
    if (m.term === node.term && node.role !== 'candidate' && addsNothing(node, m)) {
      node.droppedMessages++;
      return;
    }
    // m.term >= node.term here: a newer term is adopted, and a candidate of this term steps down
    // (its leader won the term, §5.2). A pre-candidate keeps campaigning: it changed no term, and a
    // longer log or a higher commit index only makes its campaign stronger. Giving it up for an
    // append that moved the commit index left both voters of a closing burst to campaign together
    // an election timeout later and split the vote (tabs seed 2200002471).
    if (!node.adoptTerm(m.term, null) && node.role === 'candidate') node.becomeFollower(node.term, null);
    if (node.catchUp.active) node.catchUp.abort();
    onAppendEntries(node, m);
  }

  /** Notices passed on by peers that have become members since (called before every Ready). */
  retryRelays(): void {
    if (this.relays.size === 0) return;
    for (const { sender, notice } of this.relays.takeFromMembers((peer) => this.node.membership.isMember(peer))) this.onDeparture(sender, notice);
  }

  /**
   * The host sees every peer in `present` running and no other (RaftEngine.peersPresent): held
   * notices about peers outside it are taken (held-relays.ts). Without this, two devices whose
   * remaining tabs were no members each kept the notices the other had passed on, and neither
   * ever learnt that the last voters had left.
   */
  takeRelaysAboutAbsent(present: ReadonlySet<PeerId>): void {
    for (const { sender, notice } of this.relays.takeAboutAbsent(present)) this.onDeparture(sender, notice, true);
  }

  /** A peer that was not connected when members departed (a new tab, a restart) gets their notices now. */
  passOnTo(peer: PeerId): void {
    for (const notice of this.node.departures.messages()) if (notice.peer !== peer) this.node.send(peer, notice);
  }

  /**
   * What to send if this peer departs now: a leader's last appends, the notice with its final
   * position, and for a leader the voter to hand leadership to (TimeoutNow). A host keeps the latest
   * plan where it can send it synchronously (a closing tab cannot wait for the engine), and takes it
   * before it relays any message of a later Ready, so the notice always covers every
   * acknowledgement already sent.
   */
  plan(): DeparturePlan {
    const { node } = this;
    const leader = node.leader;
    // A follower's position leaves out entries it kept from a stale append and never acknowledged.
    let lastIndex = node.unacknowledged.acknowledgedEnd(node.log.lastIndex());
    if (leader) lastIndex = Math.max(node.inheritedEnd, node.commit);
    // The voters a re-founding judges (lifecycle/founding.ts): the configuration's, and those of
    // configurations it may not have replaced yet (a leader that just removed a departed voter still
    // departed after it, and the tie-break between devices must be able to read that).
    const before = node.membership.judgedVoters(node.commit).filter((p) => p !== node.id && (node.departures.everDeparted(p) || this.relays.names(p)));
    const notice: Departure = { type: 'Departure', term: node.term, lastIndex, lastTerm: node.log.termAt(lastIndex) ?? node.log.lastTerm(), knew: before };
    const departedBefore = before.length > 0 ? { departedBefore: before } : {};
    if (!leader) return { appends: [], notice, handoffTo: null, ...departedBefore };
    notice.led = true;
    const handoffTo = leader.handoffTarget();
    // The TimeoutNow target comes first: the others campaign a heartbeat apart after it, so they do
    // not split its votes (they would when their own ranking put another first).
    const successors = successorsOf(node, leader);
    if (handoffTo !== null && successors.includes(handoffTo)) {
      successors.splice(successors.indexOf(handoffTo), 1);
      successors.unshift(handoffTo);
    }
    if (successors.length > 0) notice.successors = successors;
    return { appends: finalAppends(node, leader, lastIndex, handoffTo), notice, handoffTo, ...departedBefore };
  }

  /**
   * While no leader is known, the notices this peer holds go to every connected peer again once per
   * election timeout. A notice passed on when a link came up is lost when the other side's engine
   * was not running yet (a starting tab drops frames until it decides how to start, which can take
   * seconds after a signaling restart), and then nothing else would ever tell it. Only notices about
   * members of this peer's configuration, and voters of one it may not have replaced yet: those are
   * the ones that can hold a group up (or its re-founding), and a peer that stays no member for long
   * would otherwise send every notice it ever saw.
   */
  private passOnAgain(): void {
    const { node } = this;
    if (node.now - this.lastPassedOn < node.config.electionTimeoutMs) return;
    this.lastPassedOn = node.now;
    const prior = node.membership.priorVoters(node.commit);
    const notices = node.departures.messages().filter((n) => n.peer !== undefined && (node.membership.isMember(n.peer) || prior.includes(n.peer)));
    if (notices.length === 0) return;
    for (const peer of node.connectedPeers()) for (const notice of notices) if (notice.peer !== peer) node.send(peer, notice);
  }

  /** Succession, the turn to campaign and leaderless catch-up, checked at every tick. */
  tick(): void {
    const { node } = this;
    if (node.leaderId === null && node.role !== 'leader') this.passOnAgain();
    if (this.lists.latestClaim !== null) this.maybeSucceed();
    this.turns.tick();
    if (node.leaderId === null && node.role !== 'leader') this.fetchTowardClaims();
  }

  /**
   * Every voter of the configuration departed and this peer is not one of them: nobody can ever be
   * elected in it again. The runtime then restarts this tab through the startup rules, which may
   * re-found the group on its log (lifecycle/founding.ts).
   */
  isFrozen(): boolean {
    const { membership, departures, id } = this.node;
    const voters = membership.voters();
    return voters.length > 0 && !voters.includes(id) && voters.every((v) => departures.has(v));
  }

  /**
   * The successor the latest departed leader named re-founds the group as its only voter, once
   * every voter of its configuration (and of one that may not be replaced yet) is known departed
   * and its log covers each of their claims (so
   * it holds every committed entry, and no quorum of that configuration can ever form again). Only
   * the latest departed leader's list counts, and on it only the first peer not known departed:
   * notices are genuine, so everyone before it really is gone and no two peers both do this.
   */
  private maybeSucceed(): void {
    const { node } = this;
    const choice = this.lists.choice((p) => node.departures.has(p));
    if (choice?.peer !== node.id || !this.isFrozen()) return;
    // So must every voter of a configuration the current one may not have replaced yet (it is past
    // our commit index): one of them may have been elected without it, by the configuration
    // before, and still lead there, or have written past this log (lifecycle/log-configuration.ts).
    for (const voter of node.membership.judgedVoters(node.commit)) {
      const claim = node.departures.claim(voter);
      if (!claim || !node.log.atLeastAsUpToDateAs(claim.lastIndex, claim.lastTerm)) return;
    }
    // The leaders whose lists named this peer may have led a later configuration than the one this
    // log holds so far (a learner still fetching an old log): their claims must be covered too, or
    // the entries committed under that configuration would be lost (tabs-reload seed 2200002832: a
    // successor whose log stopped at an older configuration found its voters departed and covered,
    // and re-founded 18 committed entries short).
    for (const claim of choice.claims) {
      if (!node.log.atLeastAsUpToDateAs(claim.lastIndex, claim.lastTerm)) return;
    }
    // So must the claims of the successors passed over (every one departed): one may have
    // re-founded the group and committed entries before it left, as a follower whose notice names
    // no list (its tab crashed and was adopted, then closed; tabs-slow-disk seed 916,000,085: the
    // next successor re-founded short of three entries the first had committed).
    for (const claim of this.passedClaims(choice)) {
      if (claim && !node.log.atLeastAsUpToDateAs(claim.lastIndex, claim.lastTerm)) return;
    }
    // A configuration written in a later term than the naming leader's: someone led after it and
    // changed the configuration (a successor it named re-founded the group, say), so its list no
    // longer says who continues. That configuration's own leader named its successors, or nobody:
    // then the tab taking its slot over re-founds it, on its device (the start-up rules), and a
    // second re-founding here would fork the group (tabs-slow-disk seed 940,000,107: the first
    // successor re-founded, named nobody and closed; the second, on another device, re-founded
    // by the older list while a tab taking the first one's slot re-founded too).
    if (!node.bugs.succeedPastLaterConfiguration && (node.log.termAt(node.membership.currentIndex()) ?? 0) > choice.term) return;
    const learners = node.membership.current().learners.filter((l) => l !== node.id && !node.departures.has(l));
    node.membership.refound({ voters: [node.id], learners });
    this.refounds++;
    // A departed voter may have led a term we never heard of (elected just before it left): the
    // new configuration's first election must be in a later term than any of them reached.
    node.adoptTerm(node.departures.maxTerm(), null);
    this.lists.clear();
    node.catchUp.abort();
    node.campaignWithin(0); // at the next tick
  }

  /**
   * The claims of the successors `choice` passed over, when it leaves the choice to this peer
   * (see maybeSucceed); none otherwise. A passed-over successor with no claim known yields undefined.
   */
  private passedClaims(choice: SuccessorChoice): Array<FinalPosition | undefined> {
    const { node } = this;
    if (choice.peer !== node.id || node.bugs.skipPassedOverClaims) return [];
    return choice.passed.map((p) => node.departures.claim(p));
  }

  /**
   * Leaderless, with departed voters' claims ahead of our log (their last entries reached only
   * them, or only peers that are not voters): fetch those committed entries from the peers still
   * here, so that the claims are covered and the departed voters stop counting (departures.ts).
   * For a peer that is not a voter, the latest departed leader's claim counts too: a learner still
   * fetching an old log may not yet know that leader as a voter, nor that it is the successor that
   * leader named; the configuration it needs is in the entries it has yet to fetch. (Fetching
   * committed entries is always safe; a voter does not, as a running session keeps it from
   * campaigning, and it has its own configuration's claims.)
   */
  private fetchTowardClaims(): void {
    const { node } = this;
    let target = 0;
    const claims = node.membership.voters().map((voter) => node.departures.claim(voter));
    if (!node.membership.isVoter(node.id)) {
      const choice = this.lists.choice((p) => node.departures.has(p));
      claims.push(...(choice?.claims ?? [this.lists.latestClaim ?? undefined]));
      // The successors passed over count as in maybeSucceed, for the one they leave the choice to.
      if (choice) claims.push(...this.passedClaims(choice));
    }
    for (const claim of claims) {
      if (claim && !node.log.atLeastAsUpToDateAs(claim.lastIndex, claim.lastTerm)) target = Math.max(target, claim.lastIndex);
    }
    if (target > 0) {
      node.catchUp.startTowardClaims(target);
      this.tails.ask(target);
    }
    // Every claim is covered now (a later notice capped one, see DepartureBook.claim, or a log tail
    // covered it): a session still fetching toward the old claim only keeps a voter from
    // campaigning. A peer that is no voter cannot campaign, and its session still raises its commit
    // index to the committed entries it fetches, which a log tail never does: without that, a
    // successor whose commit index stayed at an old snapshot still judged the voters of every
    // configuration past it, and waited for good for the notice of one that departed before it
    // joined (tabs seed 72,371,606).
    else if (node.catchUp.leaderlessActive && node.membership.isVoter(node.id)) node.catchUp.abort();
    // Frozen with every claim covered, and not the successor that re-founds: a peer may hold entries
    // past our log that change that, a configuration that made this peer a voter, say, which the
    // departed leader appended after its final position and sent to another peer only. That peer
    // (the named successor) then counts this one as a live voter and waits for its campaign, while
    // this one, a learner in its own log, waits for the successor (tabs-reload seed 3310000163).
    // Taking the tail is safe as any log tail is (log-tails.ts).
    if (target === 0 && this.isFrozen()) this.tails.ask(node.log.lastIndex() + LOG_TAIL_MAX_ENTRIES);
  }
}
