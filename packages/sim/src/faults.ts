// The fault schedule (drawn from the run's seed). Between `startAt` and `healAt` it keeps injecting faults picked by
// weight: partitions (two-way and one-way), crashes with restart, paused peers, a sleeping leader
// (paused and cut off, like a suspended laptop) and degraded links (loss, duplication, reordering).
// Triggers react to the cluster (a new leader, a granted vote) to provoke specific Raft bugs.
// At `healAt` every fault is undone, and the liveness phase starts.
import type { PeerId } from '@meshraft/core';
import type { Cluster } from './cluster';
import type { EventQueue } from './event-queue';
import type { LinkQuality, SimNetwork } from './network';
import type { Dice } from './seeds';
import type { PeerEvents, SimPeer } from './sim-peer';
import type { Trace } from './trace';

export type FaultKind = 'partition' | 'one-way' | 'isolate-leader' | 'crash' | 'crash-leader' | 'pause' | 'sleep-leader' | 'degrade';

export interface FaultTriggers {
  /** Probability of isolating a newly elected leader shortly after its election. */
  isolateNewLeader?: number;
  /** Probability of crashing a newly elected leader shortly after its election. */
  crashNewLeader?: number;
  /** Probability of crashing a peer right after it sent a granted vote (it restarts quickly). */
  crashAfterVote?: number;
  /**
   * Probability of crashing a peer right after a vote message left before the write of its batch (a
   * candidate's RequestVote: the write of its new term and own vote is still in flight). It restarts
   * quickly, possibly without that write.
   */
  crashAfterEarlyVote?: number;
  /**
   * Probability of cutting a leader off the moment its commit index advances. Harmless in correct
   * Raft (the new commit is on a quorum with an entry of the leader's term); after a previous-term
   * entry was committed by counting replicas it sets up Raft's Figure 8.
   */
  isolateAfterCommit?: number;
  /** Delay before a trigger acts. */
  delayMs?: [number, number];
}

export interface FaultPlan {
  startAt: number;
  healAt: number;
  /** No new fault starts at or after this time (default: healAt). */
  stopAt?: number;
  /** Gap between two fault actions. */
  gapMs: [number, number];
  weights: Partial<Record<FaultKind, number>>;
  /** How long a partition, pause or degradation lasts. */
  durationMs: [number, number];
  /** How long a crashed peer stays down. */
  downtimeMs: [number, number];
  degraded: LinkQuality;
  triggers?: FaultTriggers;
  /**
   * At heal, tell every running peer that every other one is reachable again (peerUp), as a
   * transport re-establishing its links would. Lets a peer removed while cut off learn it.
   */
  reconnectOnHeal?: boolean;
  /**
   * A cut is a transport link that died: when a pair's link is first cut (either way) both peers
   * get peerDown, and when it is whole again both get peerUp, as the runtime's mesh reports a
   * WebRTC link that died and reconnected (a reliable channel loses no message while it lives, so
   * a message lost to a cut always comes with these). Without it a cut only drops messages.
   */
  linkEvents?: boolean;
}

export class FaultInjector implements Omit<PeerEvents, 'removed' | 'departureSeen' | 'frozen' | 'membersChanged'> {
  healed = false;
  readonly counts: Partial<Record<FaultKind | 'trigger', number>> = {};
  /** With plan.linkEvents: links reported lost (peerDown both ways) and back (peerUp both ways). */
  readonly links = { lost: 0, back: 0 };

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly cluster: Cluster,
    private readonly network: SimNetwork,
    private readonly trace: Trace,
    private readonly plan: FaultPlan,
  ) {}

  /** Peers faults act on: joined and not retired (the set grows and shrinks in churn runs). */
  private get peers(): SimPeer[] {
    return this.cluster.active();
  }

  private get ids(): PeerId[] {
    return this.peers.map((p) => p.id);
  }

  start(): void {
    this.queue.at(this.plan.startAt + this.gap(), () => this.tick());
    this.queue.at(this.plan.healAt, () => this.healAll());
  }

  private gap(): number {
    return this.dice.int(this.plan.gapMs[0], this.plan.gapMs[1]);
  }

  private duration(): number {
    return this.dice.int(this.plan.durationMs[0], this.plan.durationMs[1]);
  }

  private tick(): void {
    if (this.healed || this.queue.now >= (this.plan.stopAt ?? this.plan.healAt)) return;
    const kind = this.dice.weighted(this.plan.weights);
    // No peer to act on (every tab closed, in a tabs run): nothing to do this time.
    if (kind && this.peers.length > 0) this.inject(kind);
    this.queue.after(this.gap(), () => this.tick());
  }

  private note(kind: FaultKind | 'trigger', what: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.trace.record(this.queue.now, 'net', what);
  }

  private leader(): SimPeer | null {
    let best: SimPeer | null = null;
    for (const p of this.peers) {
      const s = p.lastStatus;
      if (p.isUp && s?.role === 'leader' && (best === null || s.term > best.lastStatus!.term)) best = p;
    }
    return best;
  }

  /** Runs `undo` after `ms` unless everything was healed already. */
  private later(ms: number, undo: () => void): void {
    this.queue.after(ms, () => {
      if (!this.healed) undo();
    });
  }

  private inject(kind: FaultKind): void {
    switch (kind) {
      case 'partition': {
        const ids = this.ids;
        const side = this.dice.shuffle([...ids]).slice(0, this.dice.int(1, Math.floor(ids.length / 2)));
        this.note(kind, `partition {${side.join(',')}} | rest`);
        this.cutBoth(side, this.duration());
        return;
      }
      case 'one-way': {
        const ids = this.ids;
        const from = this.dice.pick(ids);
        const to = this.dice.pick(ids.filter((id) => id !== from));
        const ms = this.duration();
        this.note(kind, `one-way cut ${from} -> ${to}`);
        this.cutLink(from, to);
        this.later(ms, () => this.restoreLink(from, to));
        return;
      }
      case 'isolate-leader': {
        const leader = this.leader();
        if (!leader) return;
        this.note(kind, `isolate leader ${leader.id}`);
        this.cutBoth([leader.id], this.duration());
        return;
      }
      case 'crash':
        return this.crash(this.dice.pick(this.peers), this.dice.int(this.plan.downtimeMs[0], this.plan.downtimeMs[1]), kind);
      case 'crash-leader': {
        const leader = this.leader();
        if (leader) this.crash(leader, this.dice.int(this.plan.downtimeMs[0], this.plan.downtimeMs[1]), kind);
        return;
      }
      case 'pause': {
        const peer = this.dice.pick(this.peers);
        if (!peer.isUp || peer.paused) return;
        this.note(kind, `pause ${peer.id}`);
        peer.pause();
        this.later(this.duration(), () => peer.resume());
        return;
      }
      case 'sleep-leader': {
        // A suspended laptop: the leader stops running and loses its links; on wake-up it runs
        // again first, and its links come back a little later.
        const leader = this.leader();
        if (!leader || leader.paused) return;
        const ms = this.duration();
        this.note(kind, `sleep leader ${leader.id}`);
        leader.pause();
        this.cutBoth([leader.id], ms + this.dice.int(20, 300));
        this.later(ms, () => leader.resume());
        return;
      }
      case 'degrade': {
        this.note(kind, 'links degraded');
        this.network.quality = this.plan.degraded;
        this.later(this.duration(), () => {
          this.network.quality = this.network.baseQuality;
        });
        return;
      }
    }
  }

  private cutBoth(side: PeerId[], ms: number): void {
    const pairs: Array<[PeerId, PeerId]> = [];
    const ids = this.ids;
    for (const a of side) for (const b of ids) if (!side.includes(b)) pairs.push([a, b], [b, a]);
    for (const [a, b] of pairs) this.cutLink(a, b);
    this.later(ms, () => {
      for (const [a, b] of pairs) this.restoreLink(a, b);
    });
  }

  private cutLink(from: PeerId, to: PeerId): void {
    const wasWhole = this.linkWhole(from, to);
    this.network.cut(from, to);
    if (this.plan.linkEvents && wasWhole) this.linkChanged(from, to, 'peerDown');
  }

  private restoreLink(from: PeerId, to: PeerId): void {
    this.network.restore(from, to);
    if (this.plan.linkEvents && this.linkWhole(from, to)) this.linkChanged(from, to, 'peerUp');
  }

  private linkWhole(a: PeerId, b: PeerId): boolean {
    return !this.network.isCut(a, b) && !this.network.isCut(b, a);
  }

  /** Both ends of the link learn it, if they run (a stopped peer learns nothing; a restart reconnects it). */
  private linkChanged(a: PeerId, b: PeerId, event: 'peerUp' | 'peerDown'): void {
    const pa = this.cluster.peers.find((p) => p.id === a);
    const pb = this.cluster.peers.find((p) => p.id === b);
    if (!pa?.isUp || !pb?.isUp || pa.retired || pb.retired) return;
    pa[event](b);
    pb[event](a);
    if (event === 'peerDown') this.links.lost++;
    else this.links.back++;
  }

  private crash(peer: SimPeer, downtime: number, kind: FaultKind | 'trigger'): void {
    if (!peer.isUp) return;
    this.note(kind, `crash ${peer.id} for ${downtime}ms`);
    this.cluster.crash(peer);
    this.later(downtime, () => this.cluster.restart(peer));
  }

  /** Undo every fault: links, crashed and paused peers, link quality. */
  healAll(): void {
    this.healed = true;
    this.trace.record(this.queue.now, 'net', 'heal all faults');
    this.network.healAll();
    for (const p of this.peers) {
      if (!p.isUp) this.cluster.restart(p);
      else if (p.paused) p.resume();
    }
    if (this.plan.reconnectOnHeal) this.cluster.reconnectAll();
  }

  // ---------- triggers ----------

  private triggerDelay(): number {
    const [a, b] = this.plan.triggers?.delayMs ?? [0, 20];
    return this.dice.int(a, b);
  }

  leaderElected(peer: SimPeer, term: number): void {
    const t = this.plan.triggers;
    if (!t || this.healed) return;
    if (this.dice.chance(t.isolateNewLeader ?? 0)) {
      this.queue.after(this.triggerDelay(), () => {
        if (this.healed || peer.lastStatus?.term !== term) return;
        this.note('trigger', `isolate new leader ${peer.id} (term ${term})`);
        this.cutBoth([peer.id], this.duration());
      });
    } else if (this.dice.chance(t.crashNewLeader ?? 0)) {
      this.queue.after(this.triggerDelay(), () => {
        if (this.healed || peer.lastStatus?.term !== term) return;
        this.crash(peer, this.dice.int(this.plan.downtimeMs[0], this.plan.downtimeMs[1]), 'trigger');
      });
    }
  }

  leaderCommitted(peer: SimPeer, term: number, commit: number): void {
    const t = this.plan.triggers;
    if (!t || this.healed || !this.dice.chance(t.isolateAfterCommit ?? 0)) return;
    this.note('trigger', `isolate ${peer.id} right after it committed ${commit} in term ${term}`);
    this.cutBoth([peer.id], this.duration());
  }

  voteSentEarly(peer: SimPeer): void {
    const t = this.plan.triggers;
    if (!t || this.healed || !this.dice.chance(t.crashAfterEarlyVote ?? 0)) return;
    // Before or after the write lands (the fsync takes a few ms): both must be safe.
    this.queue.after(this.dice.int(0, 3), () => {
      if (!this.healed) this.crash(peer, this.dice.int(1, 15), 'trigger');
    });
  }

  voteGranted(peer: SimPeer, _to: PeerId): void {
    const t = this.plan.triggers;
    if (!t || this.healed || !this.dice.chance(t.crashAfterVote ?? 0)) return;
    // Crash just after the vote left, and come back fast enough to be asked again in the same term.
    this.queue.after(this.dice.int(0, 3), () => {
      if (!this.healed) this.crash(peer, this.dice.int(1, 15), 'trigger');
    });
  }
}
