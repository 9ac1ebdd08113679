// Leader side of automatic membership, always through the log and one single-server
// change at a time (thesis §4.1): a joiner is added as a LEARNER, promoted to voter once caught up
// while voters < maxVoters (only if it asked to vote: observers never are), removed on Leave, and a
// member silent for autoRemoveAfterMs is removed while a quorum of the remaining configuration is
// alive. A leader changes membership only after committing an entry of its own term (the fix to
// single-server changes from the Raft mailing list, thesis §4.1 errata).
import type { JoinRequest, LeaveRequest, MembershipResponse } from '../messages';
import type { Membership, PeerId } from '../types';
import type { EngineCore } from './node-context';
import type { LeaderState } from './leader';
import { without, withLearner, withVoter } from './membership';
import { roomInLog } from './bounds';
import { quorumSize } from './quorum';

/**
 * How many more of the live voters may fail with a quorum still alive: -1 when no live quorum is
 * left (-Infinity without voters).
 */
function failuresTolerated(voters: readonly PeerId[], alive: (id: PeerId) => boolean): number {
  return voters.filter(alive).length - quorumSize(voters.length);
}

/** A learner is "caught up" when its match index is within this many entries of the leader's log. */
export const PROMOTION_LAG = 32;

export class MembershipChanges {
  /** Learners that asked to vote (JoinRequest with observer false) during this leadership. */
  private readonly wantsVoter = new Set<PeerId>();

  constructor(
    private readonly core: EngineCore,
    private readonly leader: LeaderState,
  ) {}

  /**
   * Thesis §4.1: one change at a time, and none before this leader committed in its term. Never
   * when a configuration entry would pass the wire's index limit (bounds.ts; counted).
   */
  canChange(): boolean {
    const { membership, commit, log } = this.core;
    if (!this.leader.committedInTerm() || membership.hasUncommittedChange(commit) || this.leader.transfer) return false;
    if (roomInLog(log.lastIndex(), 1)) return true;
    this.core.refusals.appends++;
    return false;
  }

  /** The learner asked to vote (an observer never does). */
  wantsToVote(id: PeerId): boolean {
    return this.wantsVoter.has(id);
  }

  onJoin(from: PeerId, m: JoinRequest): MembershipResponse {
    if (m.observer) this.wantsVoter.delete(from);
    else this.wantsVoter.add(from);
    const { membership } = this.core;
    if (membership.isMember(from)) return { type: 'MembershipResponse', requestId: m.requestId, ok: true, index: membership.currentIndex() };
    if (!this.canChange()) return { type: 'MembershipResponse', requestId: m.requestId, ok: false, error: 'busy' };
    const index = this.append(withLearner(membership.current(), from));
    return { type: 'MembershipResponse', requestId: m.requestId, ok: true, index };
  }

  onLeave(from: PeerId, m: LeaveRequest): MembershipResponse {
    this.wantsVoter.delete(from);
    const { membership } = this.core;
    if (!membership.isMember(from)) return { type: 'MembershipResponse', requestId: m.requestId, ok: true, index: membership.currentIndex() };
    if (!this.canChange()) return { type: 'MembershipResponse', requestId: m.requestId, ok: false, error: 'busy' };
    const index = this.append(without(membership.current(), from));
    return { type: 'MembershipResponse', requestId: m.requestId, ok: true, index };
  }

  /** Periodic review (every heartbeat, and at once on a Departure): at most one automatic change. */
  review(now: number): void {
    this.forgetDeparted(now);
    if (!this.canChange()) return;
    if (this.removeDeparted()) return;
    if (this.autoRemove(now)) return;
    this.promote(now);
  }

  /**
   * A member that announced its departure goes first, without waiting for autoRemoveAfterMs: it
   * will never answer again, and its slot is better given to a live learner. Departed voters no
   * longer count for quorums (departures.ts), so the change commits with the live voters alone.
   */
  private removeDeparted(): boolean {
    const { membership, departures, id: self } = this.core;
    const current = membership.current();
    for (const peer of [...current.voters, ...current.learners]) {
      if (peer === self || !departures.has(peer)) continue;
      this.append(without(current, peer));
      return true;
    }
    return false;
  }

  private heardWithin(id: PeerId, now: number, ms: number): boolean {
    if (id === this.core.id) return true;
    const pr = this.leader.progress.get(id);
    return pr !== undefined && now - pr.lastHeard < ms;
  }

  /**
   * Removes one member silent for autoRemoveAfterMs. A silent voter may be partitioned rather than
   * dead, so it is removed only when the voters left still tolerate a further failure, or when
   * removing every silent voter makes the group tolerate more failures than now (several voters
   * dead, or no live quorum at all: the rescue of a group whose other voters died); and never
   * unless the configuration after the step can commit. Otherwise a learner is promoted first (one
   * voter beyond maxVoters for the moment), after which the removal pays off. Removing the third
   * voter of three while two are alive would leave {leader, one other}: a group that any single
   * failure wedges, and that the removed voter, back from its partition, could no longer rescue.
   */
  private autoRemove(now: number): boolean {
    const { membership, config, id: self } = this.core;
    const current = membership.current();
    const silent = (id: PeerId) => id !== self && !this.heardWithin(id, now, config.autoRemoveAfterMs);
    const alive = (id: PeerId) => this.heardWithin(id, now, config.electionTimeoutMs);
    const tolerated = (voters: readonly PeerId[]) => failuresTolerated(this.core.departures.effectiveVoters(voters, this.core.log, self), alive);
    const learner = current.learners.find(silent);
    if (learner !== undefined) {
      this.append(without(current, learner));
      return true;
    }
    const voter = current.voters.find(silent);
    if (voter === undefined) return false;
    const next = without(current, voter);
    const after = tolerated(next.voters);
    if (after < 0) return false; // the rest could not commit the change
    const pays = after >= 1 || tolerated(current.voters.filter((id) => !silent(id))) > tolerated(current.voters);
    if (!pays) return this.promote(now, config.maxVoters + 1);
    this.append(next);
    return true;
  }

  private promote(now: number, maxVoters = this.core.config.maxVoters): boolean {
    const { membership, config, log } = this.core;
    const current = membership.current();
    if (current.voters.length >= maxVoters) return false;
    let best: { id: PeerId; match: number } | null = null;
    for (const id of current.learners) {
      const pr = this.leader.progress.get(id);
      if (!pr || !this.wantsVoter.has(id) || now < pr.catchingUpUntil) continue;
      if (!this.heardWithin(id, now, config.electionTimeoutMs) || pr.match < log.lastIndex() - PROMOTION_LAG) continue;
      if (!best || pr.match > best.match || (pr.match === best.match && id < best.id)) best = { id, match: pr.match };
    }
    if (!best) return false;
    this.append(withVoter(current, best.id));
    return true;
  }

  /** Departing peers that went silent need no more replication. */
  private forgetDeparted(now: number): void {
    for (const peer of [...this.leader.departing.keys()]) {
      if (!this.heardWithin(peer, now, 2 * this.core.config.electionTimeoutMs)) this.leader.dropPeer(peer);
    }
  }

  private append(next: Membership): number {
    const { log, term } = this.core;
    const index = log.lastIndex() + 1;
    this.core.appendToLog([{ kind: 'config', index, term, membership: next }]);
    return index;
  }
}
