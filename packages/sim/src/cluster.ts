// The set of simulated peers and what the transport tells them about each other. Peers can be
// added mid-run (a tab opening: empty log, peerUp with everyone), crash and restart, or retire for
// good (a tab closing, a removed peer, a machine that never comes back): the others get peerDown,
// as a real transport would report a closed connection.
import type { LeadershipPreference, Membership, PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { DurableStore } from './durable-store';
import { SimPeer, type PeerEnv } from './sim-peer';
import type { Trace } from './trace';

export class Cluster {
  /** Every peer ever created, in creation order (index = position). */
  readonly peers: SimPeer[] = [];
  private readonly byId = new Map<PeerId, SimPeer>();

  constructor(
    private readonly env: PeerEnv,
    private readonly queue: EventQueue,
    private readonly trace: Trace,
    private readonly tickMs: number,
  ) {}

  get(id: PeerId): SimPeer | undefined {
    return this.byId.get(id);
  }

  /** Peers that joined and are not retired (up, crashed or paused). */
  active(): SimPeer[] {
    return this.peers.filter((p) => p.joined && !p.retired);
  }

  /** Creates a peer (not started yet), on a fresh disk or on `durable` (a slot's disk). */
  create(id: PeerId, preference: LeadershipPreference, bootstrap: Membership | undefined, durable?: DurableStore): SimPeer {
    if (this.byId.has(id)) throw new RangeError(`peer ${id} exists already`);
    const peer = new SimPeer(id, this.peers.length, preference, bootstrap, this.env, durable);
    this.peers.push(peer);
    this.byId.set(id, peer);
    return peer;
  }

  /** Starts a peer for the first time and keeps it ticking on its own phase. */
  launch(peer: SimPeer, phase: number): void {
    peer.start();
    const tick = () => {
      if (peer.retired) return;
      peer.tick();
      this.queue.after(this.tickMs, tick);
    };
    this.queue.after(phase, tick);
  }

  /** A new peer mid-run: it starts with an empty disk and connects to everyone running. */
  join(peer: SimPeer): void {
    this.trace.record(this.queue.now, 'net', `join ${peer.id}${peer.bootstrap ? ' (bootstrap)' : ''}`);
    this.launch(peer, 1 + (peer.index % 7));
    this.connect(peer);
  }

  /** peerUp both ways between `peer` and every running peer. */
  connect(peer: SimPeer): void {
    if (!peer.isUp) return;
    for (const other of this.peers) {
      if (other === peer || !other.isUp) continue;
      other.peerUp(peer.id);
      peer.peerUp(other.id);
    }
  }

  crash(peer: SimPeer): boolean {
    if (!peer.isUp) return false;
    peer.crash();
    this.announceDown(peer);
    return true;
  }

  restart(peer: SimPeer): void {
    if (peer.isUp || peer.retired || !peer.joined) return;
    // A peer that crashed while leaving never comes back (a closing tab that dies is gone): restarted,
    // it would forget it was leaving, join again as a fresh member and then be stopped for good when
    // its leave timed out, taking a voter the quorum budget never granted.
    if (peer.leaving) return this.retire(peer, 'crashed while leaving');
    peer.start();
    this.connect(peer);
  }

  /** Bug switch only: a departed (retired) identity runs again, as if its tab had been adopted. */
  revive(peer: SimPeer): void {
    if (!peer.retired) return;
    peer.unretire();
    this.launch(peer, 1 + (peer.index % 7));
    this.connect(peer);
  }

  /** Gone for good: the others see the connection close. */
  retire(peer: SimPeer, why: string): void {
    if (peer.retired) return;
    const wasUp = peer.isUp;
    peer.retire(why);
    if (wasUp) this.announceDown(peer);
  }

  /** After the network heals, every transport link comes back: peerUp between all running peers. */
  reconnectAll(): void {
    for (const peer of this.peers) if (peer.isUp) for (const other of this.peers) if (other !== peer && other.isUp) peer.peerUp(other.id);
  }

  private announceDown(peer: SimPeer): void {
    for (const other of this.peers) if (other !== peer) other.peerDown(peer.id);
  }
}
