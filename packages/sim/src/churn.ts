// Membership churn: peers joining mid-run (empty log, no bootstrap: the engine
// asks the leader to add it as a learner, and promotes it once caught up), graceful leaves
// (engine.leave, the peer stops once removed or after a timeout), and peers killed for good (the
// leader must auto-remove them after autoRemoveAfterMs). Leaves and kills are only done while the
// remaining voters surely stay a majority (see candidates()): losing a quorum for good is a
// scenario error, not an engine bug (Raft cannot make progress then, by design).
import type { LeadershipPreference, Membership, PeerId } from '@meshraft/core';
import type { Cluster } from './cluster';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor } from './invariants';
import type { Dice } from './seeds';
import type { SimPeer } from './sim-peer';
import type { Trace } from './trace';

export interface ChurnPlan {
  /** Peers added mid-run (each starts with an empty log and joins). */
  joins: Array<{ at: number; id: PeerId; preference: LeadershipPreference }>;
  /** Times at which a random member leaves gracefully. */
  leaves: number[];
  /** Times at which a random peer is killed for good (never restarted: it must be auto-removed). */
  kills: number[];
  /** A leaving peer stops once it sees itself removed, or after this long anyway. */
  leaveTimeoutMs: number;
  /** Stop trying to place a leave or a kill (no leader, no safe candidate) after this time. */
  until: number;
}

/** Membership changes found in the committed configuration history. */
export interface MembershipCounts {
  joins: number;
  promotions: number;
  leaves: number;
  autoRemovals: number;
}

export class ChurnDriver {
  /** Peers that called leave(): their removal counts as a leave, any other removal as an auto-removal. */
  readonly leavers = new Set<PeerId>();
  readonly counts = { joinsStarted: 0, leavesStarted: 0, kills: 0 };

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly cluster: Cluster,
    private readonly trace: Trace,
    private readonly plan: ChurnPlan,
    /** The latest committed configuration (null before the first one). */
    private readonly committedMembership: () => Membership | null,
  ) {}

  start(): void {
    for (const join of this.plan.joins) {
      this.queue.at(join.at, () => {
        this.counts.joinsStarted++;
        this.cluster.join(this.cluster.create(join.id, join.preference, undefined));
      });
    }
    for (const at of this.plan.leaves) this.queue.at(at, () => this.tryLeave());
    for (const at of this.plan.kills) this.queue.at(at, () => this.tryKill());
  }

  /** A peer the engine reports removed stops for good (a removed tab closes). */
  removed(peer: SimPeer): void {
    this.queue.after(0, () => this.cluster.retire(peer, peer.leaving ? 'left' : 'removed'));
  }

  private retryLater(action: () => void): void {
    if (this.queue.now + 100 < this.plan.until) this.queue.after(100, action);
  }

  private tryLeave(): void {
    const candidates = this.candidates((p) => p.isUp && !p.paused);
    if (candidates.length === 0) return this.retryLater(() => this.tryLeave());
    const peer = this.dice.pick(candidates);
    this.trace.record(this.queue.now, 'net', `${peer.id} leaves (configuration ${describe(this.leaderMembership())})`);
    this.counts.leavesStarted++;
    this.leavers.add(peer.id);
    peer.leave();
    this.queue.after(this.plan.leaveTimeoutMs, () => this.cluster.retire(peer, 'leave timed out'));
  }

  private tryKill(): void {
    const candidates = this.candidates(() => true);
    if (candidates.length === 0) return this.retryLater(() => this.tryKill());
    const peer = this.dice.pick(candidates);
    this.counts.kills++;
    this.trace.record(this.queue.now, 'net', `kill ${peer.id} for good (configuration ${describe(this.leaderMembership())})`);
    this.cluster.retire(peer, 'killed');
  }

  /**
   * Members that may go now, judged against the leader's latest configuration, the latest committed
   * one (an uncommitted change may yet be lost, and the survivors fall back to the older one), and
   * the latest in every running peer's log (an uncommitted change there may yet win). One departure at a time among the peers that vote or may soon vote (voters, and learners
   * that asked to vote: a promotion can be in flight), and never one that could leave a voter set
   * of two with one dead: losing a quorum for good stops Raft by design, and the leader can then not
   * remove anyone. Observers come and go freely.
   */
  private candidates(usable: (p: SimPeer) => boolean): SimPeer[] {
    const latest = this.leaderMembership();
    const committed = this.committedMembership();
    if (latest === null || committed === null) return [];
    // Every configuration that may yet take effect: the committed one, the leader's, and the latest
    // in each running peer's own log (a paused leader's status is stale, and its uncommitted change
    // may still win, so its log is read directly).
    const inPlay = [latest, committed, ...this.cluster.active().flatMap((p) => (p.engine ? [p.engine.membership.current()] : []))];
    const out: SimPeer[] = [];
    for (const id of [...latest.voters, ...latest.learners]) {
      const p = this.cluster.get(id);
      if (!p || this.gone(id) || !usable(p)) continue;
      if (inPlay.every((m) => this.mayGo(m, p))) out.push(p);
    }
    return out;
  }

  private gone(id: PeerId): boolean {
    const p = this.cluster.get(id);
    return p === undefined || p.retired || p.leaving;
  }

  private mayGo(m: Membership, peer: SimPeer): boolean {
    const mayVote = (id: PeerId) => m.voters.includes(id) || this.cluster.get(id)?.preference !== 'observer';
    if (!mayVote(peer.id)) return true;
    const departing = [...m.voters, ...m.learners].some((id) => mayVote(id) && this.gone(id));
    return !departing && new Set([...m.voters, peer.id]).size >= 3;
  }

  /** Membership as seen by the running leader of the highest term. */
  private leaderMembership(): Membership | null {
    let best: SimPeer | null = null;
    for (const p of this.cluster.active()) {
      const s = p.lastStatus;
      if (p.isUp && s?.role === 'leader' && (best === null || s.term > best.lastStatus!.term)) best = p;
    }
    return best?.lastStatus?.members ?? null;
  }
}

function describe(m: Membership | null): string {
  return m === null ? 'none' : `${m.voters.join(',')}/${m.learners.join(',')}`;
}

/** Joins, promotions, leaves and auto-removals in the committed configuration history. */
export function countMembershipChanges(monitor: InvariantMonitor, leavers: ReadonlySet<PeerId>): MembershipCounts {
  const counts: MembershipCounts = { joins: 0, promotions: 0, leaves: 0, autoRemovals: 0 };
  let prev: Membership = { voters: [], learners: [] };
  for (const { membership: next } of monitor.committedConfigs()) {
    for (const id of next.learners) if (!prev.learners.includes(id) && !prev.voters.includes(id)) counts.joins++;
    for (const id of next.voters) if (prev.learners.includes(id)) counts.promotions++;
    for (const id of [...prev.voters, ...prev.learners]) {
      if (next.voters.includes(id) || next.learners.includes(id)) continue;
      if (leavers.has(id)) counts.leaves++;
      else counts.autoRemovals++;
    }
    prev = next;
  }
  return counts;
}
